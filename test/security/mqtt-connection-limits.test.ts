// Security-test-plan T12 (failed device logins: back-off, audit rows, no oracle) and T20 (connect storm:
// per-IP token bucket, flapping detection) against the real hub: real aedes, real sockets from chosen
// loopback addresses (any 127.0.0.0/8 source works on Linux), real SQLite audit log. The hub runs on a
// virtual clock, so buckets refill, windows close and bans end only when the test moves time: the
// assertions are on counts, CONNACK codes, audit rows and counters, never on durations.
import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../identity/index.js';
import { startTestHub, type TestHub } from '../helpers/hub.js';
import { createVirtualClock, type VirtualClock } from '../helpers/virtual-clock.js';

type Outcome = number | 'closed';

const connectPacket = (id: string, token: string) =>
  mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 60, username: id, password: Buffer.from(token) });

/** Feeds bytes to an MQTT parser; settles with the CONNACK return code, or 'closed' if the hub closed first. */
function connackWatcher(close: () => void) {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('error', () => {});
  let settle: (o: Outcome) => void = () => {};
  const outcome = new Promise<Outcome>((resolve) => {
    let done = false;
    settle = (o) => {
      if (done) return;
      done = true;
      close();
      resolve(o);
    };
  });
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (p.cmd === 'connack') settle((p as mqttPacket.IConnackPacket).returnCode ?? 0);
  });
  return { feed: (d: Buffer) => parser.parse(d), settle, outcome };
}

/** One MQTT connection over TCP from `from`: the CONNACK code, or 'closed' when refused before any CONNACK. */
function tcpConnect(port: number, id: string, token: string, from = '127.0.0.1'): Promise<Outcome> {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
  const w = connackWatcher(() => sock.destroy());
  sock.on('data', w.feed);
  sock.on('error', () => {});
  sock.on('close', () => w.settle('closed'));
  sock.on('connect', () => sock.write(connectPacket(id, token)));
  return w.outcome;
}

/** The same over MQTT-over-WebSocket on the HTTP port's /mqtt. */
function wsConnect(port: number, id: string, token: string, from: string): Promise<Outcome> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt', { localAddress: from });
  const w = connackWatcher(() => ws.terminate());
  ws.on('message', (d: Buffer) => w.feed(d));
  ws.on('error', () => {});
  ws.on('close', () => w.settle('closed'));
  ws.on('open', () => ws.send(connectPacket(id, token)));
  return w.outcome;
}

/** Sum of a prom-client counter's values whose labels include `labels`. */
async function counter(t: TestHub, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = t.hub.metrics.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

const rows = (t: TestHub, action: string, match: Partial<AuditEntry> = {}) =>
  t.hub.audit
    .list({ action, limit: 1000 })
    .filter((e) => Object.entries(match).every(([k, v]) => e[k as keyof AuditEntry] === v))
    .reverse();

async function inSequence(n: number, attempt: (i: number) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) out.push(await attempt(i));
  return out;
}

describe('T20: per-IP connection rate limit', () => {
  let t: TestHub;
  let clock: VirtualClock;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    clock = createVirtualClock(Date.now());
    t = await startTestHub({ clock, env: { LOOKOUT_MQTT_CONN_BURST: '100', LOOKOUT_MQTT_CONN_RATE: '50' } });
    for (let i = 0; i < 20; i++) tokens[`AIR-L${i}`] = await t.addDevice(`AIR-L${i}`, 'air');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('T20: 2 000 CONNECTs/s from one IP: the excess is refused before authentication and legitimate devices still connect', async () => {
    const FLOOD = '127.0.0.5';
    const outcomes: Outcome[] = [];
    const legit: Outcome[] = [];
    // 10 rounds of 200 CONNECTs (unknown ids, as a scanner sends), 100 virtual ms apart: 2 000 in one second.
    // Each round is settled before time moves, so the bucket admits exactly 100 (burst) + 9 × 5 (50/s).
    for (let round = 0; round < 10; round++) {
      if (round > 0) clock.advance(100);
      outcomes.push(...(await Promise.all(Array.from({ length: 200 }, (_, i) => tcpConnect(t.mqttPort, `SCAN-${round}-${i}`, 'guess-guess-guess-1', FLOOD)))));
      // halfway through the flood, real devices on other addresses connect as usual
      if (round === 5) legit.push(...(await Promise.all(Object.entries(tokens).map(([id, tok], i) => tcpConnect(t.mqttPort, id, tok, `127.0.1.${i + 1}`)))));
    }
    const refused = outcomes.filter((o) => o === 'closed').length;
    const answered = outcomes.filter((o) => o !== 'closed');
    console.log(`T20 flood: 2000 CONNECTs from one IP in 1 virtual second → ${answered.length} reached authentication (CONNACK ${JSON.stringify(Object.fromEntries([4, 5].map((c) => [c, answered.filter((o) => o === c).length])))}), ${refused} closed by the token bucket`);
    expect(answered).toHaveLength(145);
    expect(refused).toBe(1855);
    expect(answered.every((o) => o === 4 || o === 5)).toBe(true); // bad credentials, then the address's back-off
    expect(await counter(t, 'lookout_mqtt_guard_refused_total', { reason: 'rate-limit' })).toBe(1855);
    // nothing the bucket refused reached authentication
    expect(await counter(t, 'lookout_mqtt_auth_failures_total')).toBe(145);
    expect(legit).toEqual(new Array(20).fill(0));
    // one audit row for the episode, naming the address and the limit
    expect(rows(t, 'mqtt-rate-limited', { ip: FLOOD })).toHaveLength(1);
    expect(JSON.parse(rows(t, 'mqtt-rate-limited', { ip: FLOOD })[0]!.detail!)).toEqual({ perSecond: 50, burst: 100 });
    // the flooding address gets its allowance back as the bucket refills
    clock.advance(2000);
    expect(await tcpConnect(t.mqttPort, 'AIR-L0', tokens['AIR-L0']!, FLOOD)).toBe(0);
  });

  it('T20: the same bucket covers MQTT over WebSocket (/mqtt)', async () => {
    const FROM = '127.0.0.6';
    const before = await counter(t, 'lookout_mqtt_guard_refused_total', { reason: 'rate-limit' });
    const outcomes = await inSequence(103, (i) => wsConnect(t.httpPort, `AIR-L${i % 20}`, tokens[`AIR-L${i % 20}`]!, FROM));
    expect(outcomes.slice(0, 100)).toEqual(new Array(100).fill(0));
    expect(outcomes.slice(100)).toEqual(['closed', 'closed', 'closed']);
    expect((await counter(t, 'lookout_mqtt_guard_refused_total', { reason: 'rate-limit' })) - before).toBe(3);
  });
});

describe('T12 and T20: failed logins and flapping', () => {
  let t: TestHub;
  let clock: VirtualClock;
  const tokens: Record<string, string> = {};
  beforeAll(async () => {
    clock = createVirtualClock(Date.now());
    // small flapping limit so the test stays short; login back-off at its defaults (5 per device, 20 per IP)
    t = await startTestHub({ clock, env: { LOOKOUT_MQTT_FLAP_MAX: '5' } });
    for (const id of ['GAS-T12', 'GAS-FLAP', 'GAS-CALM', 'GAS-WARM', 'GAS-COLD']) tokens[id] = await t.addDevice(id, 'gas');
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('T12: repeated wrong tokens from one IP get back-off (refused without a scrypt check) and one aggregated audit row', async () => {
    const IP = '127.0.0.7';
    const verify = vi.spyOn(t.hub.registry, 'verifyToken'); // calls through: counts token checks
    const codes = await inSequence(12, (i) => tcpConnect(t.mqttPort, 'GAS-T12', `wrong-token-${i}-0123456789`, IP));
    expect(codes).toEqual([4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5]);
    expect(verify).toHaveBeenCalledTimes(5); // the 7 refused during back-off cost no token check
    expect(await counter(t, 'lookout_mqtt_auth_failures_total', { reason: 'backoff' })).toBe(7);

    // one row at once for the first failure, one for the back-off; the rest wait for the window
    const failed = () => rows(t, 'mqtt-login-failed', { target: 'GAS-T12', ip: IP });
    expect(failed()).toHaveLength(1);
    expect(JSON.parse(failed()[0]!.detail!)).toEqual({ count: 1, reasons: { credentials: 1 } });
    const backoff = rows(t, 'mqtt-login-backoff', { ip: IP });
    expect(backoff).toHaveLength(1);
    expect(backoff[0]).toMatchObject({ user: null, target: 'GAS-T12' });
    expect(JSON.parse(backoff[0]!.detail!)).toMatchObject({ scope: 'device', failures: 5, level: 1, delayS: 1 });

    clock.advance(60_000); // the window closes: one summary row
    expect(failed()).toHaveLength(2);
    expect(JSON.parse(failed()[1]!.detail!)).toMatchObject({ count: 11, reasons: { credentials: 4, backoff: 7 }, summary: true });

    // the back-off has ended: the right token gets in, and the success resets the count
    expect(await tcpConnect(t.mqttPort, 'GAS-T12', tokens['GAS-T12']!, IP)).toBe(0);
    expect(await inSequence(5, () => tcpConnect(t.mqttPort, 'GAS-T12', 'wrong-token-again-0123456789', IP))).toEqual([4, 4, 4, 4, 4]);
    expect(failed()).toHaveLength(3);
    expect(await counter(t, 'lookout_mqtt_login_backoffs_total', { scope: 'device' })).toBe(2);
  });

  it('T12: unknown device and wrong token answer the same CONNACK', async () => {
    const verify = vi.spyOn(t.hub.registry, 'verifyToken');
    const known = await inSequence(7, () => tcpConnect(t.mqttPort, 'GAS-CALM', 'not-the-token-0123456789', '127.0.0.8'));
    const unknown = await inSequence(7, () => tcpConnect(t.mqttPort, 'GAS-NOBODY', 'not-the-token-0123456789', '127.0.0.9'));
    expect(known).toEqual([4, 4, 4, 4, 4, 5, 5]);
    expect(unknown).toEqual(known);
    // both went through the same token check (device-registry.ts runs scrypt for unknown ids too)
    expect(verify.mock.calls.filter(([id]) => id === 'GAS-CALM')).toHaveLength(5);
    expect(verify.mock.calls.filter(([id]) => id === 'GAS-NOBODY')).toHaveLength(5);
    // and the audit rows say the same, apart from the names
    const shape = (ip: string) => [...rows(t, 'mqtt-login-failed', { ip }), ...rows(t, 'mqtt-login-backoff', { ip })].map((e) => [e.action, e.detail]);
    expect(shape('127.0.0.9')).toEqual(shape('127.0.0.8'));
    expect(shape('127.0.0.8')).toHaveLength(2);
  });

  it('T12: an address that backs off refuses unverified logins without a token check; a device verified before still gets in', async () => {
    const IP = '127.0.0.10';
    expect(await tcpConnect(t.mqttPort, 'GAS-WARM', tokens['GAS-WARM']!)).toBe(0); // its token is now verified
    const verify = vi.spyOn(t.hub.registry, 'verifyToken');
    const spray = await inSequence(25, (i) => tcpConnect(t.mqttPort, `NO-SUCH-${i}`, 'guess-guess-guess-1', IP));
    expect(spray).toEqual([...new Array(20).fill(4), ...new Array(5).fill(5)]);
    expect(verify).toHaveBeenCalledTimes(20);
    expect(await tcpConnect(t.mqttPort, 'GAS-WARM', tokens['GAS-WARM']!, IP)).toBe(0); // a neighbour behind the same NAT
    expect(await tcpConnect(t.mqttPort, 'GAS-COLD', tokens['GAS-COLD']!, IP)).toBe(5); // not verified yet: waits
    expect(await tcpConnect(t.mqttPort, 'GAS-COLD', tokens['GAS-COLD']!, '127.0.0.11')).toBe(0); // other addresses unaffected
    // one row per (address, id) pair at once — 20 here, then the address backs off and adds none
    expect(rows(t, 'mqtt-login-failed', { ip: IP })).toHaveLength(20);
    const backoff = rows(t, 'mqtt-login-backoff', { ip: IP });
    expect(backoff).toHaveLength(1);
    expect(backoff[0]!.target).toBeNull();
    expect(JSON.parse(backoff[0]!.detail!)).toMatchObject({ scope: 'ip', failures: 20, level: 1 });
  });

  it('T20: a device reconnecting in a loop is banned for the flapping period, others unaffected', async () => {
    const loop = await inSequence(5, () => tcpConnect(t.mqttPort, 'GAS-FLAP', tokens['GAS-FLAP']!));
    expect(loop).toEqual([0, 0, 0, 0, 0]);
    const verify = vi.spyOn(t.hub.registry, 'verifyToken');
    expect(await tcpConnect(t.mqttPort, 'GAS-FLAP', tokens['GAS-FLAP']!)).toBe(3); // the 6th within the minute: banned
    expect(verify).toHaveBeenCalledTimes(1);
    const during = await inSequence(10, () => tcpConnect(t.mqttPort, 'GAS-FLAP', tokens['GAS-FLAP']!));
    expect(during).toEqual(new Array(10).fill(3));
    expect(verify).toHaveBeenCalledTimes(1); // refused before the token check
    expect(await tcpConnect(t.mqttPort, 'GAS-CALM', tokens['GAS-CALM']!)).toBe(0);

    const bans = rows(t, 'mqtt-flapping');
    expect(bans).toHaveLength(1);
    expect(bans[0]).toMatchObject({ user: null, target: 'GAS-FLAP', ip: '127.0.0.1' });
    expect(JSON.parse(bans[0]!.detail!)).toMatchObject({ connects: 6, windowS: 60, banS: 300 });
    expect(await counter(t, 'lookout_mqtt_flapping_bans_total')).toBe(1);
    expect(await counter(t, 'lookout_mqtt_auth_failures_total', { reason: 'flapping' })).toBe(11);

    clock.advance(299_000);
    expect(await tcpConnect(t.mqttPort, 'GAS-FLAP', tokens['GAS-FLAP']!)).toBe(3);
    clock.advance(1000); // the ban is over
    expect(await tcpConnect(t.mqttPort, 'GAS-FLAP', tokens['GAS-FLAP']!)).toBe(0);
    expect(rows(t, 'mqtt-flapping')).toHaveLength(1);
  });
});

describe('T12: a login back-off does not lock out devices whose token is right', () => {
  let clock: VirtualClock;
  let t: TestHub | null = null;
  const tokens: Record<string, string> = {};
  const NAT = '127.0.0.12'; // one gateway's address: a scanner and two devices behind it
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  /** failed logins from the NAT until its back-off is at least `ms` long (1 s, doubling per failure after one ends) */
  async function backOff(hub: TestHub, ms: number): Promise<void> {
    const spray = await inSequence(20, (i) => tcpConnect(hub.mqttPort, `NO-SUCH-${i}`, 'guess-guess-guess-1', NAT));
    expect(spray).toEqual(new Array(20).fill(4));
    for (let delay = 1000; delay < ms; delay *= 2) {
      clock.advance(delay); // this back-off ends; the next failure starts one twice as long
      expect(await tcpConnect(hub.mqttPort, 'NO-SUCH-X', 'guess-guess-guess-1', NAT)).toBe(4);
    }
  }

  it('a device that logged in from the address before gets its token checked during the back-off, also after a restart; a new one gets in through the reserve', async () => {
    clock = createVirtualClock(Date.now());
    const first = await startTestHub({ clock });
    for (const id of ['GAS-NAT-1', 'GAS-NAT-2']) tokens[id] = await first.addDevice(id, 'gas');
    expect(await tcpConnect(first.mqttPort, 'GAS-NAT-1', tokens['GAS-NAT-1']!, NAT)).toBe(0);
    await first.stop(); // the hub restarts: its in-memory verified credentials are gone
    clock.advance(60_000);
    t = await startTestHub({ clock, dataDir: first.dataDir });

    await backOff(t, 8000); // the NAT now backs off for 8 s
    const verify = vi.spyOn(t.hub.registry, 'verifyToken');
    // GAS-NAT-1 logged in from this address before the restart: checked (a real scrypt check), admitted
    expect(await tcpConnect(t.mqttPort, 'GAS-NAT-1', tokens['GAS-NAT-1']!, NAT)).toBe(0);
    expect(verify).toHaveBeenCalledTimes(1);
    // GAS-NAT-2 never logged in from here: refused without a check until the address's reserve has one
    expect(await tcpConnect(t.mqttPort, 'GAS-NAT-2', tokens['GAS-NAT-2']!, NAT)).toBe(5);
    expect(verify).toHaveBeenCalledTimes(1);
    clock.advance(5000); // 5 s into the 8 s back-off: one check from the reserve
    expect(await tcpConnect(t.mqttPort, 'GAS-NAT-2', tokens['GAS-NAT-2']!, NAT)).toBe(0);
    expect(verify).toHaveBeenCalledTimes(2);
    // the reserve is one check per period, and the scanner is still refused without one
    expect(await tcpConnect(t.mqttPort, 'NO-SUCH-Y', 'guess-guess-guess-1', NAT)).toBe(5);
    expect(verify).toHaveBeenCalledTimes(2);
    // what carried GAS-NAT-1 over the restart: a row of the state database (migration 0045), no credential
    const kept = await t.hub.stateDb.repos.deviceLogins.recent(0, 100);
    expect(kept.find((r) => r.deviceId === 'GAS-NAT-1')).toEqual({ address: NAT, deviceId: 'GAS-NAT-1', lastAt: expect.any(Number) });
  });
});
