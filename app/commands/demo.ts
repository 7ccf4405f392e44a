// `lookout demo`: the hub plus the simulated Huangyan fleet playing a drill, so a newcomer sees
// incidents on the map within a minute without owning a sensor. All simulated data carries the drill flag.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_SCENARIOS, demoFleet, runDemoScenario } from '../../device-sim/index.js';
import { readFileSync } from 'node:fs';
import { sampleOrg, type OrgBook } from '../../notify/index.js';
import { samplePlans, sampleResources, sampleSites, type Prepare, type SampleTownship } from '../../prepare/index.js';
import { sampleTargets, type Supervise } from '../../supervise/index.js';
import { loadConfig } from '../config.js';
import type { Io } from '../io.js';
import { ROOT } from '../paths.js';
import { startCommand } from './start.js';

const DEMO_PASSWORD = 'Lookout-Demo-2026';

/** a sample organisation and duty roster (unless LOOKOUT_ORG_DIR gave one); drills reach only channels
 *  marked for drills, and the demo has none, so the escalation shows in the timeline and pages nobody */
export async function seedDemoOrg(org: Pick<OrgBook, 'units' | 'putAll'>, now: number): Promise<void> {
  if (!org.units().length) await org.putAll(sampleOrg(now));
}

/** the Huangyan preparedness and supervision sample (teams, warehouses, shelters, medical points, hazard
 *  points, risk targets, one plan per hazard category) — only into an empty register; the number of rows */
export async function seedDemoPreparedness(hub: { prepare: Prepare; supervise: Supervise }, townshipsFile: string): Promise<number> {
  const townships = (JSON.parse(readFileSync(townshipsFile, 'utf8')) as { townships: SampleTownship[] }).townships;
  let n = 0;
  if (!(await hub.prepare.resources.list({}, null)).length) for (const r of sampleResources(townships)) n += (await hub.prepare.resources.put(r.id, r.body, null), 1);
  if (!(await hub.prepare.sites.list({}, null)).length) for (const v of sampleSites(townships)) n += (await hub.prepare.sites.put(v.id, v.body, null), 1);
  if (!(await hub.prepare.plans.list()).length) for (const p of samplePlans()) n += (await hub.prepare.plans.put(p.id, p.body), 1);
  if (!(await hub.supervise.supervision.listTargets({}, null)).length) for (const t of sampleTargets(townships)) n += (await hub.supervise.supervision.putTarget(t.id, t.body, null), 1);
  return n;
}

export async function demoCommand(argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      speed: { type: 'string' },
      size: { type: 'string' },
    },
  });
  const size = values.size ? Number(values.size) : 2000;
  const speed = values.speed ? Number(values.speed) : 60;
  if (!Number.isInteger(size) || size < 100 || size > 50_000) {
    io.stderr.write('--size must be a whole number from 100 to 50000\n');
    return 2;
  }
  if (!Number.isFinite(speed) || speed <= 0 || speed > 3600) {
    io.stderr.write('--speed must be a number above 0 and at most 3600\n');
    return 2;
  }
  // The demo keeps its own data dir and a known admin password, so it never mixes with real data; and
  // two-factor login is off, so one command and a browser are enough (LOOKOUT_ADMIN_2FA=required npm run
  // demo shows the enrolment instead). The demo's hub is on loopback only and holds drill data only.
  const config = loadConfig(
    {
      LOOKOUT_DATA_DIR: path.join(ROOT, 'data', 'demo'),
      LOOKOUT_ADMIN_PASSWORD: DEMO_PASSWORD,
      LOOKOUT_ADMIN_2FA: 'off',
      LOOKOUT_LOG_LEVEL: 'warn',
      ...env,
    },
    { root: ROOT },
  );
  const { hub, ports } = await startCommand(config, io);
  await seedDemoOrg(hub.org, Date.now());
  const seeded = await seedDemoPreparedness(hub, config.townshipsFile);
  if (seeded) io.stdout.write(`Loaded the Huangyan preparedness sample: ${seeded} teams, warehouses, shelters, hazard points and plans (docs/prepare.md).\n`);
  // a new drill starts clean: the previous run's drill incidents and events close (reason 演练, kept for review)
  const ended = hub.alerting.drillEnd('lookout demo');
  if (ended.incidents || ended.events) io.stdout.write(`Ended the previous drill: ${ended.incidents} incident(s) and ${ended.events} event(s) closed (kept for review).\n`);
  const fleet = demoFleet(size);
  io.stdout.write(`Registering the demo fleet (${fleet.devices.length} simulated devices in Huangyan)…\n`);
  await hub.registry.importMany(fleet.devices, (done, total) => io.stdout.write(`\r  ${done}/${total}`));
  const scenarios = values.scenario ?? [...DEMO_SCENARIOS];
  io.stdout.write(`\nStarting the drill: ${scenarios.join(', ')} at ${speed}× speed (演练 · drill data is marked as such).\n`);
  io.stdout.write(`Open http://${config.http.host}:${ports.httpPort}/ and log in as admin / ${env.LOOKOUT_ADMIN_PASSWORD ? '(your LOOKOUT_ADMIN_PASSWORD)' : DEMO_PASSWORD}\n`);
  io.stdout.write(
    config.admin2fa === 'off'
      ? 'Two-factor login is OFF in demo mode (LOOKOUT_ADMIN_2FA=off). `npm start` keeps the default `required`: administrators enrol an authenticator app at their first login.\n'
      : `Two-factor login is ${config.admin2fa}: the first admin login shows a secret (and QR code) to add to an authenticator app.\n`,
  );
  const run = await runDemoScenario({
    url: `mqtt://127.0.0.1:${ports.mqttPort}`,
    fleet,
    scenarios,
    speed,
    onProgress: (s) => {
      const open = hub.alerting.incidents.list({ status: 'open' }).length;
      io.stdout.write(`\r  devices connected ${s.connected}/${s.devices} · readings ${s.readings} · errors ${s.errors} · open incidents ${open}   `);
    },
    onNote: (n) => io.stdout.write(`\n  [${n.scenario}] ${n.text}\n`),
  });
  const stop = async () => {
    await run.stop();
    await hub.close();
    process.exit(0);
  };
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  return await new Promise<number>(() => {});
}
