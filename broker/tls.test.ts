// Security-test-plan T22: mqtts with TLS ≥ 1.2 only and optional mutual TLS (certificate CN = device id).
// The test makes its own CA and certificates with openssl (test/helpers/pki.ts); expired, revoked and
// foreign-CA certificates against the whole hub: test/security/tls-certs.test.ts.
import net from 'node:net';
import tls from 'node:tls';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../test/helpers/broker.js';
import { tempDir } from '../test/helpers/temp.js';
import { makePki, type KeyPair } from '../test/helpers/pki.js';

describe('mqtts listener with mutual TLS', () => {
  let b: TestBroker;
  let pki: ReturnType<typeof makePki>;
  let dev1: KeyPair, dev2: KeyPair, rogue: KeyPair;
  let token: string;
  beforeAll(async () => {
    pki = makePki(tempDir('lookout-pki-'));
    dev1 = pki.issue('dev1', 'GAS-T1');
    dev2 = pki.issue('dev2', 'GAS-OTHER');
    rogue = pki.issueForeign('rogue', 'GAS-T1');
    b = await startTestBroker({ tls: { port: 0, cert: pki.server.cert, key: pki.server.key, ca: pki.ca } });
    token = (await b.registry.add({ id: 'GAS-T1', kind: 'gas', lon: 121.26, lat: 28.65 })).token;
  });
  afterAll(async () => {
    await b?.close();
  });

  const connect = (client: KeyPair | null, extra: Record<string, unknown> = {}) =>
    new Promise<mqtt.MqttClient>((resolve, reject) => {
      const c = mqtt.connect(`mqtts://localhost:${b.tlsPort}`, {
        clientId: 'GAS-T1', username: 'GAS-T1', password: token, reconnectPeriod: 0, connectTimeout: 5000,
        ca: pki.ca, ...(client ? { cert: client.cert, key: client.key } : {}), rejectUnauthorized: true, ...extra,
      });
      c.once('connect', () => resolve(c));
      c.once('error', (e) => { c.end(true); reject(e); });
      c.once('close', () => reject(new Error('closed')));
    });

  it('accepts the device with its own certificate and token, and stores its reading', async () => {
    const c = await connect(dev1);
    await new Promise<void>((r, j) => c.publish('lookout/gas/GAS-T1/telemetry', JSON.stringify({ values: { methane: 1 } }), { qos: 1 }, (e) => (e ? j(e) : r())));
    expect(await b.store.count('GAS-T1', 'gas')).toBe(1);
    c.end(true);
  });

  it("refuses another device's certificate (CN mismatch), a certificate from a foreign CA, and no certificate", async () => {
    await expect(connect(dev2)).rejects.toBeTruthy();
    await expect(connect(rogue)).rejects.toBeTruthy();
    await expect(connect(null)).rejects.toBeTruthy();
  });

  it('refuses TLS 1.1 and plaintext MQTT on the TLS port', async () => {
    const tls11 = await new Promise<string>((resolve) => {
      const s = tls.connect({ port: b.tlsPort!, host: '127.0.0.1', maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ca: pki.ca, cert: dev1.cert, key: dev1.key, rejectUnauthorized: false });
      s.once('secureConnect', () => resolve('connected'));
      s.once('error', (e) => resolve(e.message));
    });
    expect(tls11).not.toBe('connected');
    const plain = await new Promise<string>((resolve) => {
      const s = net.connect(b.tlsPort!, '127.0.0.1', () => s.write(Buffer.from('100c00044d5154540402003c0000', 'hex')));
      s.on('data', (d) => resolve(d[0] === 0x20 ? 'connack' : 'garbage'));
      s.once('close', () => resolve('closed'));
      s.once('error', () => resolve('closed'));
    });
    expect(plain).not.toBe('connack');
  });

  it('T18: a socket that never completes its TLS handshake is closed (handshake timeout = connect timeout)', async () => {
    const short = await startTestBroker({ tls: { port: 0, cert: pki.server.cert, key: pki.server.key }, connectTimeout: 300 });
    try {
      const s = net.connect(short.tlsPort!, '127.0.0.1');
      s.on('error', () => {});
      const closed = await Promise.race([new Promise<boolean>((r) => s.once('close', () => r(true))), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
      expect(closed).toBe(true);
    } finally {
      await short.close();
    }
  });

  it('T20: the per-IP token bucket refuses before the TLS handshake', async () => {
    const limited = await startTestBroker({ tls: { port: 0, cert: pki.server.cert, key: pki.server.key }, connRate: { perSecond: 0.001, burst: 2 } });
    try {
      const handshake = () =>
        new Promise<string>((resolve) => {
          const s = tls.connect({ port: limited.tlsPort!, host: '127.0.0.1', servername: 'localhost', ca: pki.ca });
          s.once('secureConnect', () => (s.destroy(), resolve('handshake')));
          s.once('error', () => resolve('refused'));
          s.once('close', () => resolve('refused'));
        });
      expect([await handshake(), await handshake(), await handshake()]).toEqual(['handshake', 'handshake', 'refused']);
      const { values } = await limited.metrics.getSingleMetric('lookout_mqtt_guard_refused_total')!.get();
      expect(values.find((v) => v.labels.reason === 'rate-limit')?.value).toBe(1);
    } finally {
      await limited.close();
    }
  });
});
