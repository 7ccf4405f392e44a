// Security-test-plan T22 against the whole hub: mqtts with mutual TLS and a CRL (LOOKOUT_TLS_CA,
// LOOKOUT_TLS_CRL). An expired, a revoked and a foreign-CA certificate, none at all, TLS 1.1 and
// plaintext are refused; each refusal is counted, and audited with its reason and address (one row
// per address and minute, so every case connects from its own loopback address). Anchors: mosquitto
// `08-ssl-connect-cert-auth-{expired,revoked,crl}`, `08-ssl-connect-no-auth-wrong-ca`.
import net from 'node:net';
import tls from 'node:tls';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../../alerting/virtual-clock.js';
import { eventually, startTestHub, tempDir, type TestHub } from '../helpers/hub.js';
import { makePki, type KeyPair, type Pki } from '../helpers/pki.js';

type Outcome = 'connack' | 'refused';

describe('T22: mqtts refuses expired, revoked and foreign certificates, with an audit row', () => {
  let t: TestHub;
  let pki: Pki;
  let token: string;
  const cert: Record<string, KeyPair> = {};

  beforeAll(async () => {
    pki = makePki(tempDir('lookout-pki-'));
    cert.good = pki.issue('good', 'GAS-T22');
    cert.expired = pki.issue('expired', 'GAS-T22', { expired: true });
    cert.revoked = pki.issue('revoked', 'GAS-T22');
    cert.foreign = pki.issueForeign('foreign', 'GAS-T22');
    pki.revoke(cert.revoked);
    t = await startTestHub({
      env: { LOOKOUT_MQTTS_PORT: '0', LOOKOUT_TLS_CERT: pki.server.certFile, LOOKOUT_TLS_KEY: pki.server.keyFile, LOOKOUT_TLS_CA: pki.caFile, LOOKOUT_TLS_CRL: pki.crlFile },
    });
    token = await t.addDevice('GAS-T22', 'gas');
  });
  afterAll(() => t?.close());

  /** a TLS connection from `from` presenting `pair`, then CONNECT: did the hub answer CONNACK 0? */
  function attempt(pair: KeyPair | null, from: string, o: tls.ConnectionOptions = {}): Promise<Outcome> {
    return new Promise((resolve) => {
      const socket = net.connect({ port: t.mqttsPort!, host: '127.0.0.1', localAddress: from });
      const s = tls.connect({ socket, servername: 'localhost', ca: pki.ca, ...(pair ? { cert: pair.cert, key: pair.key } : {}), ...o });
      let outcome: Outcome = 'refused';
      s.once('secureConnect', () =>
        s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'GAS-T22', keepalive: 60, username: 'GAS-T22', password: Buffer.from(token) })),
      );
      s.on('data', (d: Buffer) => {
        if (d[0] === 0x20 && d[3] === 0) outcome = 'connack';
        s.end();
      });
      s.on('error', () => {});
      s.once('close', () => resolve(outcome));
    });
  }

  const refusedRows = async (ip: string) => (await t.hub.audit.list({ action: 'mqtt-tls-refused' })).filter((r) => r.ip?.endsWith(ip));
  const tlsFailures = async () => (await t.hub.metrics.getSingleMetric('lookout_mqtt_auth_failures_total')!.get()).values.find((v) => v.labels.reason === 'tls')?.value ?? 0;

  it('T22: the device’s own valid certificate connects (the CRL is loaded and does not list it)', async () => {
    expect(await attempt(cert.good!, '127.0.0.10')).toBe('connack');
    expect((await refusedRows('127.0.0.10'))).toEqual([]);
  });

  it.each([
    ['an expired certificate', 'expired', '127.0.0.11', 'CERT_HAS_EXPIRED'],
    ['a revoked certificate (listed in the CRL)', 'revoked', '127.0.0.12', 'CERT_REVOKED'],
    ['a certificate from another CA', 'foreign', '127.0.0.13', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['no certificate', null, '127.0.0.14', 'NO_CLIENT_CERTIFICATE'],
  ] as const)('T22: %s is refused before MQTT; counted and audited with the reason', async (_name, which, from, reason) => {
    const before = await tlsFailures();
    for (const maxVersion of ['TLSv1.3', 'TLSv1.2'] as const) expect(await attempt(which ? cert[which]! : null, from, { maxVersion })).toBe('refused');
    expect(await tlsFailures()).toBe(before + 2);
    const rows = await eventually(async () => ((await refusedRows(from)).length ? (await refusedRows(from)) : null), { timeout: 5000, message: 'audit row' });
    expect(rows).toHaveLength(1); // the second attempt from the same address within a minute is only counted
    expect(rows[0]).toMatchObject({ user: null, detail: reason, target: which ? 'GAS-T22' : null });
  });

  it('T22: TLS 1.1 and plaintext MQTT on the TLS port fail the handshake; counted and audited', async () => {
    const before = await tlsFailures();
    expect(await attempt(cert.good!, '127.0.0.15', { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).toBe('refused');
    const plain = await new Promise<string>((resolve) => {
      const s = net.connect({ port: t.mqttsPort!, host: '127.0.0.1', localAddress: '127.0.0.16' }, () =>
        s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'GAS-T22', keepalive: 60, username: 'GAS-T22', password: Buffer.from(token) })),
      );
      let got = 'closed';
      s.on('data', (d: Buffer) => (got = d[0] === 0x20 ? 'connack' : 'garbage'));
      s.on('error', () => {});
      s.once('close', () => resolve(got));
    });
    expect(plain).not.toBe('connack');
    await eventually(async () => (await tlsFailures()) >= before + 2, { timeout: 5000, message: 'both counted' });
    const rows = await eventually(async () => ((await refusedRows('127.0.0.15')).length && (await refusedRows('127.0.0.16')).length ? [...(await refusedRows('127.0.0.15')), ...(await refusedRows('127.0.0.16'))] : null), { timeout: 5000, message: 'audit rows' });
    for (const r of rows) expect(r.detail).toMatch(/^ERR_SSL_/);
    // the hub still serves its device
    expect(await attempt(cert.good!, '127.0.0.10')).toBe('connack');
  });
  it('T22: a hub whose CRL has expired does not start: every device would be refused; the error names LOOKOUT_TLS_CRL and the fix', async () => {
    const later = createVirtualClock(Date.now() + 3 * 24 * 3600_000); // the test CA's CRLs run 2 days
    await expect(
      startTestHub({
        clock: later,
        env: { LOOKOUT_MQTTS_PORT: '0', LOOKOUT_TLS_CERT: pki.server.certFile, LOOKOUT_TLS_KEY: pki.server.keyFile, LOOKOUT_TLS_CA: pki.caFile, LOOKOUT_TLS_CRL: pki.crlFile },
      }),
    ).rejects.toThrow(/^LOOKOUT_TLS_CRL: .* expired on .*Issue a fresh CRL from the device CA/);
  });
});
