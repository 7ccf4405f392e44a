// When does a certificate revocation list expire? Node's TLS loads a CRL but says nothing about its
// dates; once `nextUpdate` has passed, OpenSSL refuses every client certificate with CRL_HAS_EXPIRED,
// i.e. every device on the mqtts port at once (security-test-plan T22). The hub reads the date at start
// so an expired CRL stops start-up with the fix, and a soon-to-expire one is logged and exported.
//
// RFC 5280 §5.1: CertificateList ::= SEQUENCE { tbsCertList TBSCertList, signatureAlgorithm, signature }
//   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature AlgorithmIdentifier, issuer Name,
//                              thisUpdate Time, nextUpdate Time OPTIONAL, … }
//   Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }   (DER, X.690 §11.7/§11.8)

interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

function readTlv(der: Buffer, at: number): Tlv {
  if (at + 2 > der.length) throw new Error('truncated DER');
  const tag = der[at]!;
  let len = der[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  if (start + len > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

function parseTime(der: Buffer, t: Tlv): Date {
  const s = der.toString('latin1', t.start, t.end);
  // DER: UTCTime YYMMDDHHMMSSZ (YY ≥ 50 → 19YY, RFC 5280 §4.1.2.5.1); GeneralizedTime YYYYMMDDHHMMSSZ
  const m = t.tag === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error(`bad time "${s}"`);
  const year = t.tag === UTC_TIME ? (Number(m[1]) >= 50 ? 1900 : 2000) + Number(m[1]) : Number(m[1]);
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** PEM (one or more CRLs) or DER → the earliest `nextUpdate` (null if a CRL has none). Throws on a malformed CRL. */
export function crlNextUpdate(data: Buffer): Date | null {
  const text = data.toString('latin1');
  const ders = text.includes('-----BEGIN X509 CRL-----')
    ? [...text.matchAll(/-----BEGIN X509 CRL-----([\s\S]*?)-----END X509 CRL-----/g)].map((m) => Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'))
    : [data];
  let earliest: Date | null = null;
  for (const der of ders) {
    const list = readTlv(der, 0);
    const tbs = readTlv(der, list.start);
    let at = tbs.start;
    let f = readTlv(der, at);
    if (f.tag === 0x02) f = readTlv(der, (at = f.end)); // version
    at = f.end; // signature AlgorithmIdentifier
    at = readTlv(der, at).end; // issuer Name
    const thisUpdate = readTlv(der, at);
    if (thisUpdate.tag !== UTC_TIME && thisUpdate.tag !== GENERALIZED_TIME) throw new Error('not a CRL (thisUpdate missing)');
    if (thisUpdate.end >= tbs.end) return null;
    const next = readTlv(der, thisUpdate.end);
    if (next.tag !== UTC_TIME && next.tag !== GENERALIZED_TIME) return null; // nextUpdate is OPTIONAL
    const d = parseTime(der, next);
    if (!earliest || d < earliest) earliest = d;
  }
  if (ders.length === 0) throw new Error('no CRL found');
  return earliest;
}

export interface CrlCheck {
  nextUpdate: Date | null;
  /** true when the CRL runs out within `soonMs` (renew it now) */
  expiresSoon: boolean;
}

/**
 * Start-up check of a device CRL (T22). Throws when it is malformed or already past `nextUpdate` —
 * starting would refuse every device certificate; the message says what to do.
 */
export function checkCrl(crl: Buffer, now: number, soonMs = 7 * 24 * 3600_000): CrlCheck {
  let nextUpdate: Date | null;
  try {
    nextUpdate = crlNextUpdate(crl);
  } catch (err) {
    throw new Error(`is not a readable CRL (${(err as Error).message}); export the device CA's CRL as PEM`);
  }
  if (nextUpdate && nextUpdate.getTime() <= now) {
    throw new Error(`expired on ${nextUpdate.toISOString()} (its nextUpdate): every device certificate would be refused. Issue a fresh CRL from the device CA and start again`);
  }
  return { nextUpdate, expiresSoon: !!nextUpdate && nextUpdate.getTime() - now < soonMs };
}
