// Security-test-plan T20 "Fault tests": N devices (2 000 in CI; `npm run fuzz` runs 5 000,
// or set STORM_DEVICES) are connected and reporting; the hub process is killed (SIGKILL) and started
// again on the same ports; every device reconnects with jittered exponential back-off, as field
// firmware does, and must have reported again (QoS 1 PUBACK received, reading stored) within 60 s.
// Devices are device-sim's light MQTT client (one socket each), the hub is the real child process.
import path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { LiteConnection } from '../../device-sim/mqtt-lite.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { registerDevices, startChildHub, type ChildHub } from './child-hub.js';

const N = Number(process.env.STORM_DEVICES ?? 2000);
const TARGET_MS = 60_000;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

describe(`reconnect storm: ${N} devices after a hub restart`, () => {
  const dataDir = tempDir('lookout-storm-');
  let hub: ChildHub | null = null;
  const conns: LiteConnection[] = [];
  let stopped = false;
  afterAll(async () => {
    stopped = true;
    for (const c of conns) c.destroy();
    await hub?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`all ${N} devices report again within ${TARGET_MS / 1000} s of the restart`, async () => {
    const devices = Array.from({ length: N }, (_, i) => ({ id: `W-STORM-${String(i).padStart(5, '0')}`, kind: 'water' as const, token: `storm-token-${i}-abcdef0123456789` }));
    await registerDevices(dataDir, devices);
    hub = await startChildHub(dataDir);
    const ports = { http: hub.httpPort, mqtt: hub.mqttPort };
    const url = new URL(`mqtt://127.0.0.1:${ports.mqtt}`);

    let phase = 1;
    const reported = [new Set<number>(), new Set<number>(), new Set<number>()];
    const attempts = new Array<number>(N).fill(0);
    const refused = new Map<number, number>();
    const baseTs = Date.now() - 3600_000;
    const live = new Array<LiteConnection | null>(N).fill(null);
    let connecting = 0;
    const MAX_CONNECTING = 256; // devices do not all dial in the same millisecond, and neither do we
    const queue: number[] = [];

    function dial(i: number) {
      if (stopped) return;
      if (connecting >= MAX_CONNECTING) {
        queue.push(i);
        return;
      }
      connecting++;
      attempts[i]!++;
      const d = devices[i]!;
      const c = new LiteConnection({ url, clientId: d.id, username: d.id, password: d.token, keepaliveS: 600 }, handlers, i);
      live[i] = c;
      pending.add(c);
      conns.push(c);
      c.connect(Date.now());
    }
    function settled() {
      connecting--;
      while (connecting < MAX_CONNECTING && queue.length) dial(queue.shift()!);
    }
    function backoff(i: number) {
      // jittered exponential back-off: 0.5–1.5 s, doubling up to 8 s
      const n = Math.min(attempts[i]!, 4);
      setTimeout(() => dial(i), (500 + Math.random() * 1000) * 2 ** (n - 1));
    }
    // a socket counts against MAX_CONNECTING until its CONNACK arrives or it closes, whichever is first
    const pending = new WeakSet<LiteConnection>();
    const handlers = {
      now: () => Date.now(),
      onConnack(c: LiteConnection, rc: number) {
        if (pending.delete(c)) settled();
        if (rc !== 0) {
          refused.set(rc, (refused.get(rc) ?? 0) + 1);
          c.destroy();
          return;
        }
        c.publish(`lookout/water/${devices[c.tag]!.id}/telemetry`, JSON.stringify({ ts: baseTs + phase * 1000, values: { ph: 7.1 } }), 1, false, Date.now());
      },
      onPuback(c: LiteConnection) {
        reported[phase]!.add(c.tag);
      },
      onClose(c: LiteConnection) {
        if (pending.delete(c)) settled();
        if (live[c.tag] !== c) return;
        live[c.tag] = null;
        if (!stopped) backoff(c.tag);
      },
    };

    /** how many devices reported, once all have or `ms` passed (the caller's expect names the shortfall) */
    const waitAll = async (set: Set<number>, ms: number) => {
      await eventually(() => set.size >= N, { timeout: ms, interval: 100, message: `all ${N} devices reporting` }).catch(() => {});
      return set.size;
    };

    // phase 1: the fleet is up and reporting
    const t1 = Date.now();
    for (let i = 0; i < N; i++) dial(i);
    expect(await waitAll(reported[1]!, 240_000), 'initial connect').toBe(N);
    const initialMs = Date.now() - t1;
    const rssBefore = rssMb(hub.proc.pid!);

    // phase 2: the hub dies and comes back on the same ports; every device dials in again
    phase = 2;
    attempts.fill(0);
    await hub.kill9();
    const restartAt = Date.now();
    hub = await startChildHub(dataDir, { LOOKOUT_HTTP_PORT: String(ports.http), LOOKOUT_MQTT_PORT: String(ports.mqtt) });
    const upAt = Date.now();
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(hub!.proc.pid!))), 500);
    const got = await waitAll(reported[2]!, TARGET_MS);
    clearInterval(sampler);
    const stormMs = Date.now() - upAt;
    const totalAttempts = attempts.reduce((a, b) => a + b, 0);
    console.log(
      `reconnect storm: ${N} devices; initial connect ${Math.round(initialMs / 1000)} s; hub restart took ${Math.round((upAt - restartAt) / 1000)} s; ` +
        `${got}/${N} reported again ${Math.round(stormMs / 100) / 10} s after the hub was up; ${totalAttempts} connection attempts; ` +
        `refused ${JSON.stringify(Object.fromEntries(refused))}; hub RSS ${rssBefore} MB before, peak ${peakRss} MB during the storm`,
    );
    expect(got, `devices that reported again within ${TARGET_MS / 1000} s`).toBe(N);

    // both reports of every device are stored
    const db = new Database(path.join(dataDir, 'telemetry.db'), { readonly: true, fileMustExist: true });
    const n = (db.prepare("SELECT COUNT(*) AS n FROM telemetry WHERE metric = 'ph' AND ts IN (?, ?)").get(baseTs + 1000, baseTs + 2000) as { n: number }).n;
    db.close();
    expect(n).toBe(2 * N);
  }, 900_000);
});
