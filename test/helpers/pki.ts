// A throw-away PKI for the TLS tests (security-test-plan T22), made with the openssl CLI the way
// mosquitto's `08-ssl-*` tests make theirs: a CA run by `openssl ca` (so certificates can be
// back-dated and revoked), a CRL, and a second, foreign CA. EC P-256 keys: fast to generate.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface KeyPair {
  cert: Buffer;
  key: Buffer;
  /** the PEM files, for configuration that takes paths */
  certFile: string;
  keyFile: string;
}

export interface Pki {
  dir: string;
  ca: Buffer;
  caFile: string;
  server: KeyPair;
  /** the CRL of `ca`, listing every certificate passed to `revoke` */
  crl: Buffer;
  crlFile: string;
  /** a certificate for `cn` signed by the test CA; `expired`: valid only in 2020 */
  issue(name: string, cn: string, o?: { expired?: boolean }): KeyPair;
  /** a certificate for `cn` signed by a different CA that the hub does not trust */
  issueForeign(name: string, cn: string): KeyPair;
  /** revokes a certificate of the test CA and rewrites the CRL */
  revoke(pair: KeyPair): void;
}

const CA_CONFIG = `[ ca ]
default_ca = test_ca
[ test_ca ]
dir = .
database = index.txt
new_certs_dir = .
certificate = ca.pem
private_key = ca.key
serial = serial
crlnumber = crlnumber
default_md = sha256
default_days = 2
default_crl_days = 2
policy = any_cn
unique_subject = no
[ any_cn ]
commonName = supplied
`;

export function makePki(dir: string): Pki {
  const run = (...args: string[]) => {
    try {
      return execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    } catch (err) {
      // not a skip: the TLS tests need it everywhere (.ci/run installs it)
      if ((err as { code?: string }).code === 'ENOENT') throw new Error('openssl not found: the TLS tests make their certificates with it (apt-get install openssl)');
      throw err;
    }
  };
  const file = (n: string) => path.join(dir, n);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  writeFileSync(file('ca.cnf'), CA_CONFIG);
  writeFileSync(file('index.txt'), '');
  writeFileSync(file('serial'), '1000\n');
  writeFileSync(file('crlnumber'), '1000\n');
  run('req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Lookout Test CA');
  run('req', '-x509', ...newKey, '-keyout', 'foreign-ca.key', '-out', 'foreign-ca.pem', '-days', '2', '-subj', '/CN=Foreign CA');
  const pair = (name: string): KeyPair => ({ cert: readFileSync(file(`${name}.pem`)), key: readFileSync(file(`${name}.key`)), certFile: file(`${name}.pem`), keyFile: file(`${name}.key`) });
  const csr = (name: string, cn: string) => run('req', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
  const gencrl = () => run('ca', '-batch', '-config', 'ca.cnf', '-gencrl', '-out', 'crl.pem');

  const pki: Pki = {
    dir,
    ca: readFileSync(file('ca.pem')),
    caFile: file('ca.pem'),
    server: null as unknown as KeyPair,
    crl: Buffer.alloc(0),
    crlFile: file('crl.pem'),
    issue(name, cn, o = {}) {
      csr(name, cn);
      const validity = o.expired ? ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'] : [];
      run('ca', '-batch', '-notext', '-config', 'ca.cnf', '-in', `${name}.csr`, '-out', `${name}.pem`, ...validity);
      return pair(name);
    },
    issueForeign(name, cn) {
      csr(name, cn);
      run('x509', '-req', '-in', `${name}.csr`, '-CA', 'foreign-ca.pem', '-CAkey', 'foreign-ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2');
      return pair(name);
    },
    revoke(p) {
      run('ca', '-batch', '-config', 'ca.cnf', '-revoke', p.certFile);
      gencrl();
      pki.crl = readFileSync(file('crl.pem'));
    },
  };
  pki.server = pki.issue('server', 'localhost');
  gencrl();
  pki.crl = readFileSync(file('crl.pem'));
  return pki;
}
