// Security-test-plan T29 "Hardening": the hub's data disk fills up (ENOSPC) or turns
// read-only under it, for real — a small tmpfs mounted as LOOKOUT_DATA_DIR, and an ext4 file system on a
// loop device that the kernel switches to read-only (`errors=remount-ro`), which is what a failing disk
// does. (`mount -o remount,ro` is refused with EBUSY while the hub holds its databases open for writing.)
// Expected: the hub stays up, no PUBACK for a reading that is not durable (back-pressure: the device keeps
// it and sends it again), a red `system` incident / `/readyz` / `/metrics` / one log line with the fix,
// no corruption (`PRAGMA integrity_check`), and ingestion resumes once space is freed — without a restart.
// Real hub process, real mqtt.js clients (QoS 1, they resend unacknowledged publishes on reconnect), real
// SQLite files. Needs root (mount); skips with the reason otherwise (fails under CI=true).
// The read-only case lost acknowledged readings once in many runs (docs/security.md finding 13); its
// deterministic form is test/fault/commit-probe.test.ts. DISK_FAULT_RUNS=20 runs this one 20 times.
import path from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../ingest/stores/sqlite-store.js';
import type { DiskEvent } from '../../ingest/stores/disk-guard.js';
import type { ClientToServerEvents, Incident, Reading, ServerToClientEvents } from '../../schemas/index.js';
import { freeBytes, fsFaultSkipReason, mountExt4Loop, mountTmpfs, type SmallDisk } from '../helpers/fs-faults.js';
import { authenticatorKey, loginWithCode, testTime } from '../helpers/two-factor.js';
import { eventually } from '../helpers/hub.js';
import { startVictoriaMetrics, victoriaMetricsSkipReason, type VmServer } from '../contract/helpers/victoriametrics-server.js';
import { CHILD_ADMIN_PASSWORD, integrity, registerDevices, startChildHub, type ChildHub } from './child-hub.js';

const tmpfsSkip = fsFaultSkipReason('tmpfs');
const vmSkip = victoriaMetricsSkipReason();
const ext4Skip = fsFaultSkipReason('ext4');
/** DISK_FAULT_RUNS=20 runs the read-only test 20 times in a row (docs/testing.md); vitest counts repeats after the first run */
const RO_REPEATS = Math.max(0, Number(process.env.DISK_FAULT_RUNS ?? 1) - 1);
const DEVICES = 4;
const WINDOW = 8; // QoS 1 publishes in flight per device

/** QoS 1 publishers that count every PUBLISH sent and every PUBACK received (mqtt.js resends on reconnect). */
function startPublishers(port: () => number, devices: { id: string; token: string }[]) {
  const t0 = Date.now() - 6 * 3_600_000; // one hour of millisecond timestamps per device, all in the past
  const generated = new Map<string, number[]>(devices.map((d) => [d.id, []]));
  const acked = new Set<string>();
  const c = { publishes: 0, pubacks: 0, closes: 0, connects: 0 };
  const closesBy = new Map<string, number>(devices.map((d) => [d.id, 0]));
  let generating = true;
  let ending: Promise<void[]> | null = null;
  const clients: MqttClient[] = devices.map((d, k) => {
    const client = mqtt.connect({ host: '127.0.0.1', port: port(), clientId: d.id, username: d.id, password: d.token, reconnectPeriod: 200, connectTimeout: 5000, keepalive: 30 });
    // the hub may come back on the same port after a restart
    client.on('reconnect', () => (client.options.port = port()));
    client.on('error', () => {});
    client.on('packetsend', (p) => void (p.cmd === 'publish' && c.publishes++));
    client.on('packetreceive', (p) => void (p.cmd === 'puback' && c.pubacks++));
    client.on('close', () => {
      c.closes++;
      closesBy.set(d.id, closesBy.get(d.id)! + 1);
    });
    let n = 0;
    const pump = () => {
      if (!generating) return;
      const ts = t0 + k * 3_600_000 + n++;
      generated.get(d.id)!.push(ts);
      const values = { level: 0.3 + (n % 100) / 1000, rain: 0, flow: 1.2 };
      client.publish(`lookout/flood/${d.id}/telemetry`, JSON.stringify({ ts, values }), { qos: 1 }, (err) => {
        if (err) return;
        acked.add(`${d.id}|${ts}`);
        pump();
      });
    };
    client.on('connect', () => {
      c.connects++;
      if (n === 0) for (let i = 0; i < WINDOW; i++) pump();
    });
    return client;
  });
  return {
    acked,
    generated,
    counts: c,
    closesBy,
    total: () => [...generated.values()].reduce((s, l) => s + l.length, 0),
    /** no new readings; what was published stays in the clients' stores until acknowledged */
    stopGenerating: () => (generating = false),
    end: () => (ending ??= Promise.all(clients.map((cl) => new Promise<void>((r) => cl.end(true, {}, () => r()))))),
  };
}

interface Stored {
  /** device|ts of every stored `level` point */
  keys: Set<string>;
  /** points of all metrics */
  rows: number;
  /** `level` points per device */
  perDevice: Map<string, number>;
  /** most points any (device, metric, ts) has */
  maxPerKey: number;
}

/** What <dataDir>/telemetry.db holds. */
function stored(dataDir: string): Stored {
  const db = new Database(path.join(dataDir, 'telemetry.db'), { readonly: true, fileMustExist: true });
  try {
    const keys = new Set((db.prepare("SELECT device, ts FROM telemetry WHERE metric = 'level'").all() as { device: string; ts: number }[]).map((r) => `${r.device}|${r.ts}`));
    const perDevice = new Map((db.prepare("SELECT device, COUNT(*) AS n FROM telemetry WHERE metric = 'level' GROUP BY device").all() as { device: string; n: number }[]).map((r) => [r.device, r.n]));
    const rows = (db.prepare('SELECT COUNT(*) AS n FROM telemetry').get() as { n: number }).n;
    const maxPerKey = (db.prepare('SELECT COALESCE(MAX(n), 0) AS m FROM (SELECT COUNT(*) AS n FROM telemetry GROUP BY device, metric, ts)').get() as { m: number }).m;
    return { keys, rows, perDevice, maxPerKey };
  } finally {
    db.close();
  }
}

function missing(acked: Iterable<string>, keys: Set<string>): string[] {
  const out: string[] = [];
  for (const k of acked) if (!keys.has(k)) out.push(k);
  return out;
}

async function http(hub: ChildHub, url: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${hub.httpPort}${url}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: res.status, text: await res.text() };
}

/** logs in as admin the way a person with an authenticator app does (two-factor login is on by default) */
async function login(hub: ChildHub, dataDir: string): Promise<string> {
  const r = await loginWithCode(authenticatorKey(dataDir, 'admin'), testTime(), { username: 'admin', password: CHILD_ADMIN_PASSWORD }, async (body) => {
    const res = await fetch(`http://127.0.0.1:${hub.httpPort}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as unknown };
  });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body as { token: string }).token;
}

/** A console connected over socket.io: the incidents it was pushed (also those the disk could not record). */
async function consoleFor(hub: ChildHub, token: string): Promise<{ pushed: Incident[]; close(): void }> {
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(`http://127.0.0.1:${hub.httpPort}`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const pushed: Incident[] = [];
  s.on('incident:opened', (i) => pushed.push(i));
  s.on('incident:updated', (i) => pushed.push(i));
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return { pushed, close: () => s.disconnect() };
}

/** readings the hub received and did not store (refused while the disk was full), from its own counters */
async function notStored(hub: ChildHub): Promise<number> {
  const text = (await http(hub, '/metrics')).text;
  const one = (name: string) => Number(/^(\S+) (\S+)$/m.exec(text.split('\n').filter((l) => l.startsWith(`${name} `)).join('\n'))?.[2] ?? NaN);
  return one('lookout_readings_received_total') - one('lookout_readings_stored_total');
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

/**
 * The end of a run: every published reading was acknowledged; each is stored exactly once (one row per
 * (device, metric, ts), every reading of every device); after a clean stop both databases pass integrity_check.
 */
async function finish(dataDir: string, pubs: ReturnType<typeof startPublishers>, hub: ChildHub, target: Target = SQLITE) {
  // a remote store delivers from its spool after the acknowledgement: wait until it holds everything
  const s = await eventually(async () => {
    const v = await target.view(dataDir);
    return v.rows >= pubs.total() * 3 ? v : null;
  }, { timeout: 30_000, message: `every reading in ${target.store}` });
  expect(missing(pubs.acked, s.keys)).toEqual([]);
  expect(s.maxPerKey).toBe(1);
  for (const [id, list] of pubs.generated) expect(s.perDevice.get(id), id).toBe(new Set(list).size);
  expect(s.rows).toBe(pubs.total() * 3);
  await pubs.end();
  await hub.stop();
  for (const f of target.files) expect(integrity(path.join(dataDir, f)), f).toBe('ok');
  return s;
}

/** The telemetry store the hub runs with, and how the test reads what it holds. */
interface Target {
  store: 'sqlite' | 'victoriametrics';
  env: Record<string, string>;
  view(dataDir: string): Promise<Stored>;
  /** SQLite files in the data dir that must pass integrity_check */
  files: string[];
}

const SQLITE: Target = { store: 'sqlite', env: {}, view: async (dir) => stored(dir), files: ['telemetry.db', 'lookout.db'] };

/** The hub on VictoriaMetrics: the spool (write-ahead, in the data dir) is what meets the full disk. */
function victoriaMetrics(vm: VmServer, devicePrefix: string): Target {
  return {
    store: 'victoriametrics',
    env: { LOOKOUT_STORE: 'victoriametrics', VM_URL: vm.url },
    files: ['spool-victoriametrics.db', 'lookout.db'],
    async view() {
      await fetch(`${vm.url}/internal/force_flush`);
      const params = new URLSearchParams({ 'match[]': `{__name__=~"flood_(level|rain|flow)",device=~"${devicePrefix}.*"}`, start: String(Math.floor(Date.now() / 1000) - 8 * 3600), end: String(Math.ceil(Date.now() / 1000) + 60) });
      const text = await (await fetch(`${vm.url}/api/v1/export`, { method: 'POST', body: params })).text();
      const out: Stored = { keys: new Set(), rows: 0, perDevice: new Map(), maxPerKey: 0 };
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        const series = JSON.parse(line) as { metric: { __name__: string; device: string }; timestamps: number[] };
        const seen = new Map<number, number>();
        for (const ts of series.timestamps) seen.set(ts, (seen.get(ts) ?? 0) + 1);
        out.rows += seen.size;
        out.maxPerKey = Math.max(out.maxPerKey, ...seen.values());
        if (series.metric.__name__ !== 'flood_level') continue;
        for (const ts of seen.keys()) out.keys.add(`${series.metric.device}|${ts}`);
        out.perDevice.set(series.metric.device, (out.perDevice.get(series.metric.device) ?? 0) + seen.size);
      }
      return out;
    },
  };
}

/** Every device has been disconnected by the hub at least `n` more times than in `since`. */
function eachClosedMore(closesBy: Map<string, number>, since: Map<string, number>, n: number): boolean {
  for (const [id, v] of closesBy) if (v - since.get(id)! < n) return false;
  return true;
}

const skipped = (reason: string | null) => (reason ? ` — skipped: ${reason}` : '');
const devicesFor = (tag: string) => Array.from({ length: DEVICES }, (_, i) => ({ id: `F-${tag}-${i}`, kind: 'flood' as const, token: `${tag.toLowerCase()}-token-${i}-0123456789abcdef` }));

describe('T29: the data disk is full or read-only (real tmpfs, real ext4 on a loop device)', () => {
  const disks: SmallDisk[] = [];
  let hub: ChildHub | null = null;
  afterAll(async () => {
    await hub?.kill9().catch(() => {});
    for (const d of disks) d.unmount();
  });

  /** registers the devices on `disk`, starts the hub on it, a console and the publishers */
  async function startRun(disk: SmallDisk, tag: string, target: Target = SQLITE) {
    const devices = devicesFor(tag);
    await registerDevices(disk.dir, devices);
    hub = await startChildHub(disk.dir, target.env);
    const h = hub;
    const ports = { http: h.httpPort, mqtt: h.mqttPort };
    const token = await login(h, disk.dir);
    const ops = await consoleFor(h, token);
    return { h, ports, token, ops, pubs: startPublishers(() => ports.mqtt, devices) };
  }

  it.skipIf(tmpfsSkip !== null)(`the SQLite store meets a real SQLITE_FULL: refuses, announces once, resumes when the file system grows; integrity ok${skipped(tmpfsSkip)}`, async () => {
    const disk = mountTmpfs(2);
    disks.push(disk);
    const events: DiskEvent[] = [];
    const store = createSqliteStore({ file: path.join(disk.dir, 'telemetry.db'), reserveBytes: 0 }, { logger: pino({ level: 'silent' }), onEvent: (e) => events.push(e) });
    const batch = (b: number): Reading[] => Array.from({ length: 250 }, (_, i) => ({ deviceId: 'F-STORE-1', kind: 'flood', ts: 1_700_000_000_000 + b * 1000 + i, receivedAt: 1_700_000_000_000, drill: false, values: { level: i / 100, rain: 0, flow: 1 } }));
    let written = 0;
    let failure: Error | null = null;
    for (let b = 0; b < 10_000 && !failure; b++) {
      try {
        await store.write(batch(b));
        written++;
      } catch (err) {
        failure = err as Error;
      }
    }
    expect(failure?.message).toMatch(/disk is full/);
    expect(events).toEqual([expect.objectContaining({ type: 'disk-fault', store: 'sqlite', fault: 'disk-full', dir: disk.dir })]);
    expect((await store.health()).ok).toBe(false);
    await expect(store.write(batch(written))).rejects.toThrow(/disk is full/);
    expect(events).toHaveLength(1); // announced once
    disk.remount('size=16m');
    await store.write(batch(written)); // the batch that failed, sent again
    expect(events.map((e) => e.type)).toEqual(['disk-fault', 'disk-ok']);
    expect((await store.health()).ok).toBe(true);
    expect(await store.count('F-STORE-1', 'flood')).toBe((written + 1) * 250 * 3);
    await store.close();
    expect(integrity(path.join(disk.dir, 'telemetry.db'))).toBe('ok');
    console.log(`store on a 2 MiB tmpfs: ${written} batches of 250 readings stored before SQLITE_FULL; after growing it to 16 MiB the refused batch stored once`);
  });

  /**
   * The data disk fills up under a running hub (telemetry takes the last space above the reserve, then
   * something else takes the reserve too), then space is freed. `target` is the store the hub runs with.
   */
  async function fullDisk(target: Target, tag: string) {
    const started = Date.now();
    const disk = mountTmpfs(32);
    disks.push(disk);
    const { h, token, ops, pubs } = await startRun(disk, tag, target);
    const store = `store="${target.store}"`;
    try {
      await eventually(() => pubs.acked.size >= 400, { timeout: 30_000, message: '400 acknowledged readings' });

      // 1. The disk fills up: leave a little above the reserve, the readings take the rest.
      const reserve = metric(await http(h, '/metrics').then((r) => r.text), 'lookout_store_disk_reserve_bytes', store);
      expect(reserve).toBeGreaterThan(0);
      disk.fill(reserve + 256 * 1024);
      const fullLog = await eventually(() => h.logs.find((l) => l.fault === 'disk-full'), { timeout: 30_000, message: 'the hub to announce the full disk' });
      expect(String(fullLog.msg)).toContain(`free space in ${disk.dir}`);
      // a batch that was being written when the reserve was reached may still be acknowledged: wait until
      // every device has been refused once, then nothing more may be acknowledged
      let mark = new Map(pubs.closesBy);
      await eventually(() => eachClosedMore(pubs.closesBy, mark, 1), { timeout: 30_000, message: 'every device refused once' });
      const atFull = { acked: pubs.acked.size, pubacks: pubs.counts.pubacks, publishes: pubs.counts.publishes, generated: pubs.total() };
      // what was acknowledged is durable (for VictoriaMetrics: in the spool, delivered by its sender)
      await eventually(async () => missing(pubs.acked, (await target.view(disk.dir)).keys).length === 0, { timeout: 30_000, message: 'every acknowledged reading stored' });
      mark = new Map(pubs.closesBy);
      await eventually(() => eachClosedMore(pubs.closesBy, mark, 3), { timeout: 30_000, message: 'three more refused resends per device' });
      const withheld = pubs.counts.publishes - atFull.publishes;
      expect(withheld).toBeGreaterThan(0);
      expect(pubs.counts.pubacks).toBe(atFull.pubacks);
      expect(pubs.acked.size).toBe(atFull.acked);

      // visible: /readyz, /metrics, a red system incident (the reserve left room to record it), process alive
      expect((await http(h, '/healthz')).status).toBe(200);
      const ready = await http(h, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.text).toContain('disk-full');
      expect(ready.text).toContain(`free space in ${disk.dir}`);
      const metrics = (await http(h, '/metrics')).text;
      const refused = metric(metrics, 'lookout_store_disk_refused_total', `${store},fault="disk-full"`);
      expect(refused).toBeGreaterThan(0);
      if (target.store === 'sqlite') expect(metric(metrics, 'lookout_store_up', store)).toBe(0); // for a remote store: the database's reachability
      const incidents = JSON.parse((await http(h, '/api/incidents?status=open&category=system', token)).text) as { id: string; category: string; level: string; title: string }[];
      const incident = incidents.find((i) => i.category === 'system' && i.title.includes('数据盘已满'));
      expect(incident?.level).toBe('red');
      expect(ops.pushed.some((i) => i.id === incident!.id && i.status === 'open')).toBe(true);
      expect(h.logs.filter((l) => l.fault === 'disk-full' && l.level === 50)).toHaveLength(1); // announced once, not per batch

      // 2. Something else takes the reserve too: the hub's own databases cannot write either; it stays up.
      disk.fill(0);
      expect(freeBytes(disk.dir)).toBeLessThan(4096);
      mark = new Map(pubs.closesBy);
      await eventually(() => eachClosedMore(pubs.closesBy, mark, 2), { timeout: 30_000, message: 'two more refused resends per device' });
      expect(h.proc.exitCode).toBeNull();
      expect((await http(h, '/healthz')).status).toBe(200);
      expect(pubs.counts.pubacks).toBe(atFull.pubacks);
      const withheldTotal = pubs.counts.publishes - atFull.publishes;
      const refusedReadings = await notStored(h);

      // 3. Space is freed: the devices' resends are stored and acknowledged, new readings flow, no restart.
      disk.release();
      await eventually(() => pubs.acked.size >= atFull.generated + 400, { timeout: 30_000, message: 'ingestion to resume' });
      pubs.stopGenerating();
      await eventually(() => pubs.acked.size === pubs.total(), { timeout: 30_000, message: 'every published reading acknowledged' });
      expect(h.proc.exitCode).toBeNull();
      expect((await http(h, '/readyz')).status).toBe(200);
      const closed = JSON.parse((await http(h, `/api/incidents/${incident!.id}`, token)).text) as { status: string };
      expect(closed.status).toBe('closed');
      // the REST answer can overtake the socket.io push of the same change
      await eventually(() => ops.pushed.some((i) => i.id === incident!.id && i.status === 'closed'), { timeout: 5_000, message: 'the closed incident pushed' });
      ops.close();

      const s = await finish(disk.dir, pubs, h, target);
      hub = null;
      const replayFailures = h.logs.filter((l) => l.msg === 'spool replay failed').length;
      expect(replayFailures).toBeLessThan(100); // the spool's sender backs off instead of looping on its full disk
      console.log(
        `disk full, ${target.store} (tmpfs 32 MiB, reserve ${reserve} B): ${pubs.total()} readings sent, ${pubs.acked.size} acknowledged, ${s.rows / 3} stored once each; ` +
          `while full ${withheldTotal} PUBLISH packets got no PUBACK (the hub refused ${refusedReadings} readings in ${refused}+ batches), ${pubs.counts.closes} disconnects/${pubs.counts.connects} connects; ${replayFailures} spool replay failures; ${Math.round((Date.now() - started) / 1000)} s`,
      );
    } finally {
      ops.close();
      await pubs.end();
    }
  }

  it.skipIf(tmpfsSkip !== null)(`the hub on a full data disk withholds PUBACKs, raises a red system incident, stays up and resumes without a restart${skipped(tmpfsSkip)}`, () => fullDisk(SQLITE, 'DFULL'));

  it.skipIf(tmpfsSkip !== null || vmSkip !== null)(`the same with VictoriaMetrics: its spool is what meets the full disk${skipped(tmpfsSkip ?? vmSkip)}`, async () => {
    const vm = await startVictoriaMetrics();
    try {
      await fullDisk(victoriaMetrics(vm, 'F-DVM-'), 'DVM');
    } finally {
      await vm.cleanup();
    }
  });

  it.skipIf(ext4Skip !== null)(`the hub on a disk that turns read-only stays up and acknowledges nothing; after fsck and a restart every acknowledged reading is there and the resent ones land once${skipped(ext4Skip)}`, { repeats: RO_REPEATS }, async () => {
    const started = Date.now();
    const disk = mountExt4Loop(64);
    disks.push(disk);
    const run = await startRun(disk, 'DRO');
    const { ops, pubs, ports } = run;
    let h = run.h;
    try {
      await eventually(() => pubs.acked.size >= 400, { timeout: 30_000, message: '400 acknowledged readings' });
      disk.failReadOnly();
      const roLog = await eventually(() => h.logs.find((l) => l.fault === 'read-only'), { timeout: 30_000, message: 'the hub to announce the read-only disk' });
      expect(String(roLog.msg)).toContain('fsck');
      let mark = new Map(pubs.closesBy);
      await eventually(() => eachClosedMore(pubs.closesBy, mark, 1), { timeout: 30_000, message: 'every device refused once' });
      const atRo = { acked: pubs.acked.size, pubacks: pubs.counts.pubacks, publishes: pubs.counts.publishes };
      mark = new Map(pubs.closesBy);
      await eventually(() => eachClosedMore(pubs.closesBy, mark, 3), { timeout: 30_000, message: 'three more refused resends per device' });
      expect(pubs.counts.pubacks).toBe(atRo.pubacks);
      const withheld = pubs.counts.publishes - atRo.publishes;
      expect(withheld).toBeGreaterThan(0);
      expect(h.proc.exitCode).toBeNull();
      expect((await http(h, '/healthz')).status).toBe(200);
      const ready = await http(h, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.text).toContain('read-only');
      expect(metric((await http(h, '/metrics')).text, 'lookout_store_up', 'store="sqlite"')).toBe(0);
      const refusedReadings = await notStored(h);
      // the incident cannot be written to the read-only lookout.db, but the consoles are told at once
      const pushed = ops.pushed.find((i) => i.category === 'system' && i.title.includes('数据盘只读'));
      expect(pushed?.level).toBe('red');
      ops.close();

      // the operator's repair: stop the hub, fsck, mount read-write, start it again on the same ports
      const stopStarted = Date.now();
      await h.stop();
      const stopMs = Date.now() - stopStarted;
      hub = null;
      const fsck = disk.repair();
      expect(integrity(path.join(disk.dir, 'telemetry.db'))).toBe('ok');
      expect(integrity(path.join(disk.dir, 'lookout.db'))).toBe('ok');
      expect(missing(pubs.acked, stored(disk.dir).keys)).toEqual([]);
      hub = await startChildHub(disk.dir, { LOOKOUT_HTTP_PORT: String(ports.http), LOOKOUT_MQTT_PORT: String(ports.mqtt) });
      h = hub;
      await eventually(() => pubs.acked.size >= atRo.acked + 200, { timeout: 30_000, message: 'ingestion to resume after the restart' });
      pubs.stopGenerating();
      await eventually(() => pubs.acked.size === pubs.total(), { timeout: 30_000, message: 'every published reading acknowledged' });
      const s = await finish(disk.dir, pubs, h);
      hub = null;
      console.log(
        `read-only disk (ext4 ${disk.device}, ${String(roLog.fault)}: ${String(roLog.reason).slice(0, 80)}): ${pubs.total()} readings sent, ${pubs.acked.size} acknowledged, ${s.rows / 3} stored once each; ` +
          `${withheld} PUBLISH packets got no PUBACK while read-only (the hub refused ${refusedReadings} readings); hub stopped in ${stopMs} ms; fsck: ${fsck.trim().split('\n').pop()}; ${Math.round((Date.now() - started) / 1000)} s`,
      );
    } finally {
      ops.close();
      await pubs.end();
      await hub?.kill9().catch(() => {});
      hub = null;
      disk.unmount(); // a repeat gets a fresh loop device
    }
  });
});
