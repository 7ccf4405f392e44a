// Security-test-plan T27/T30 "Fault tests": the hub runs as a child process and is killed
// with SIGKILL at a random moment while devices publish QoS 1 telemetry as fast as they can. A reading
// counts as acknowledged when its PUBACK reached the publisher. After every restart each acknowledged
// reading must be in <dataDir>/telemetry.db, and PRAGMA integrity_check must answer ok on both
// databases. Real hub process, real mqtt clients, real SQLite files.
import path from 'node:path';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { within } from '../helpers/eventually.js';
import { tempDir } from '../helpers/temp.js';
import { integrity, registerDevices, startChildHub, type ChildHub } from './child-hub.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const DEVICES = 8;
const WINDOW = 16; // QoS 1 messages in flight per device

describe('kill -9 during QoS 1 ingest', () => {
  const dataDir = tempDir('lookout-crash-');
  let hub: ChildHub | null = null;
  afterAll(async () => {
    await hub?.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`loses no acknowledged reading in ${ROUNDS} rounds; integrity_check ok`, async () => {
    const devices = Array.from({ length: DEVICES }, (_, i) => ({ id: `F-CRASH-${i}`, kind: 'flood' as const, token: `crash-token-${i}-0123456789abcdef` }));
    await registerDevices(dataDir, devices);
    const t0 = Date.now() - 2 * 86_400_000; // every reading has its own (device, ts)
    const next = new Map(devices.map((d) => [d.id, 0]));
    const acked: { device: string; ts: number }[] = [];
    const rounds: { round: number; killAfterAcks: number; acked: number; sentUnacked: number }[] = [];

    function verify(label: string): { stored: number; missing: number } {
      const db = new Database(path.join(dataDir, 'telemetry.db'), { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare("SELECT device, ts FROM telemetry WHERE metric = 'level'").all() as { device: string; ts: number }[];
        const have = new Set(rows.map((r) => `${r.device}|${r.ts}`));
        const missing = acked.filter((a) => !have.has(`${a.device}|${a.ts}`));
        expect(missing.slice(0, 5), `${label}: acknowledged readings missing after restart`).toEqual([]);
        return { stored: rows.length, missing: missing.length };
      } finally {
        db.close();
      }
    }

    for (let round = 1; round <= ROUNDS; round++) {
      hub = await startChildHub(dataDir);
      if (round > 1) {
        verify(`round ${round - 1}`);
        expect(integrity(path.join(dataDir, 'telemetry.db'))).toBe('ok');
        expect(integrity(path.join(dataDir, 'lookout.db'))).toBe('ok');
      }
      const clients: MqttClient[] = [];
      let roundAcked = 0;
      let sentUnacked = 0;
      // the kill lands after a random number of acknowledgements in this round (an event, not a clock)
      const killAfterAcks = 1 + Math.floor(Math.random() * 600);
      let onAck: () => void = () => {};
      const killPoint = new Promise<void>((r) => (onAck = () => roundAcked >= killAfterAcks && r()));
      let dead = false;
      for (const d of devices) {
        const c = mqtt.connect(`mqtt://127.0.0.1:${hub.mqttPort}`, { clientId: d.id, username: d.id, password: d.token, reconnectPeriod: 0, connectTimeout: 10_000 });
        c.on('error', () => {});
        clients.push(c);
        c.once('connect', () => {
          const pump = () => {
            if (dead || !c.connected) return;
            const n = next.get(d.id)!;
            next.set(d.id, n + 1);
            const ts = t0 + n;
            sentUnacked++;
            c.publish(`lookout/flood/${d.id}/telemetry`, JSON.stringify({ ts, values: { level: (n % 300) / 100 } }), { qos: 1 }, (err) => {
              if (err) return; // never acknowledged: no promise was made
              sentUnacked--;
              acked.push({ device: d.id, ts });
              roundAcked++;
              onAck();
              pump();
            });
          };
          for (let i = 0; i < WINDOW; i++) pump();
        });
      }
      await within(killPoint, { timeout: 60_000, message: `${killAfterAcks} acknowledged readings in round ${round}` });
      dead = true;
      await hub.kill9();
      hub = null;
      for (const c of clients) c.end(true);
      rounds.push({ round, killAfterAcks, acked: roundAcked, sentUnacked });
    }
    // final restart: everything acknowledged in all rounds is there
    hub = await startChildHub(dataDir);
    const { stored } = verify(`round ${ROUNDS}`);
    await hub.stop();
    hub = null;
    expect(integrity(path.join(dataDir, 'telemetry.db'))).toBe('ok');
    expect(integrity(path.join(dataDir, 'lookout.db'))).toBe('ok');
    const inFlight = rounds.reduce((s, r) => s + r.sentUnacked, 0);
    console.log(`crash test: ${ROUNDS} rounds of kill -9, ${acked.length} acknowledged readings, all ${acked.length} stored (${stored} rows incl. ${stored - acked.length} written but not acknowledged of ${inFlight} in flight at the kills); killed after ${rounds.map((r) => r.killAfterAcks).join(',')} acknowledgements`);
    expect(stored).toBeGreaterThanOrEqual(acked.length);
  }, 1_800_000);
});
