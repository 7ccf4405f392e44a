// `lookout sim …` and `lookout fleet …` (wired into bin/lookout by app/cli.ts). Every command returns an
// exit code and writes to the given streams, so tests run them in-process.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { DEVICE_KINDS, type DeviceKind } from '../schemas/index.js';
import { fleetCounts, generateFleet, parseFleet, validateFleet, type FleetMix } from './fleet.js';
import { listScenarios, loadScenario } from './scenario.js';
import { createSimulator, type SimStats } from './simulator.js';

export interface SimIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const SIM_HELP = `usage: lookout sim --fleet FILE [--scenario NAME[,NAME…]] [--speed N] [--url mqtt://host:1883 | ws://host:8080/mqtt]
                   [--duration SECONDS] [--background-speed N] [--connect-rate N] [--max-pending N] [--limit N] [--loop] [--no-drill]
  --fleet            fleet file from \`lookout fleet generate\` (devices must be registered: lookout device import FILE)
  --scenario         drill scenario(s): ${'{scenarios}'} or a path to a scenario .json
  --speed            simulated minutes per wall minute (default 1; 60 = one hour per minute)
  --background-speed reporting speed of devices the scenario does not touch (default = --speed)
  --duration         stop after this many wall seconds (default: when the scenarios end, else run until Ctrl-C)
  --connect-rate     new connections per second (default 200); --max-pending caps those awaiting CONNACK (default 100)
  --limit            simulate only the first N devices of the fleet
`;

const FLEET_HELP = `usage: lookout fleet generate [--size N] [--seed S] [--mix kind=share,…] --out FILE
       lookout fleet validate FILE
  generate  a seeded Huangyan fleet (default 2000 devices, max 50000); the same seed gives the same fleet
  validate  check a fleet file against the device import schema
`;

function formatStats(s: SimStats): string {
  const scen = s.scenarioMin === null ? '' : s.scenarioDone ? ' · drill ended' : ` · drill T+${Math.floor(s.scenarioMin / 60)}h${String(Math.floor(s.scenarioMin % 60)).padStart(2, '0')}m`;
  return `connected ${s.connected}/${s.devices} · ${s.readingsPerSec.toFixed(1)} readings/s · sent ${s.readings} (${s.events} events) · acked ${s.acked} · buffered ${s.buffered} · errors ${s.errors}${scen}`;
}

/** `lookout sim`: returns 0 on a clean run, 1 when errors made it fail, 2 on bad usage. */
export async function simCommand(argv: string[], io: SimIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        fleet: { type: 'string' },
        scenario: { type: 'string' },
        speed: { type: 'string' },
        'background-speed': { type: 'string' },
        url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        duration: { type: 'string' },
        'connect-rate': { type: 'string' },
        'max-pending': { type: 'string' },
        limit: { type: 'string' },
        loop: { type: 'boolean', default: false },
        'no-drill': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${SIM_HELP.replace('{scenarios}', listScenarios().join(', '))}`);
    return 2;
  }
  if (values.help || !values.fleet) {
    (values.help ? io.stdout : io.stderr).write(SIM_HELP.replace('{scenarios}', listScenarios().join(', ')));
    return values.help ? 0 : 2;
  }
  const num = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${v}"`);
    return n;
  };
  let fleet;
  let speed: number | undefined;
  let duration: number | undefined;
  let limit: number | undefined;
  let bg: number | undefined;
  let rate: number | undefined;
  let maxPending: number | undefined;
  let scenarios: string[] = [];
  try {
    speed = num('speed', values.speed, 0.001);
    bg = num('background-speed', values['background-speed'], 0.001);
    duration = num('duration', values.duration, 0);
    limit = num('limit', values.limit, 1);
    rate = num('connect-rate', values['connect-rate'], 1);
    maxPending = num('max-pending', values['max-pending'], 1);
    fleet = parseFleet(readFileSync(values.fleet, 'utf8'));
    if (limit !== undefined) fleet = { ...fleet, devices: fleet.devices.slice(0, Math.floor(limit)) };
    scenarios = values.scenario ? values.scenario.split(',').map((s) => s.trim()).filter(Boolean) : [];
    for (const s of scenarios) loadScenario(s); // fail fast with the list of names
    new URL(values.url);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }

  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true;
  const logger = pino({ level: values.verbose ? 'info' : 'warn' }, io.stderr as unknown as pino.DestinationStream);
  const sim = createSimulator({
    fleet,
    url: values.url,
    ...(scenarios.length ? { scenario: scenarios } : {}),
    ...(speed !== undefined ? { speed } : {}),
    ...(bg !== undefined ? { backgroundSpeed: bg } : {}),
    ...(rate !== undefined ? { connectRate: rate } : {}),
    ...(maxPending !== undefined ? { maxPendingConnects: maxPending } : {}),
    loop: values.loop,
    drill: !values['no-drill'],
    logger,
    onNote: (n) => {
      if (tty) io.stderr.write('\r\x1b[K');
      io.stdout.write(`[${n.scenario} T+${n.atMin} min] ${n.text}\n`);
    },
  });
  io.stdout.write(`simulating ${fleet.devices.length} devices → ${values.url}${scenarios.length ? ` · drill ${scenarios.join(', ')}` : ''} · speed ${speed ?? 1}×\n`);
  await sim.start();

  let stopReason = '';
  let onSignal = (): void => {};
  const stopped = new Promise<void>((resolve) => {
    onSignal = (): void => {
      stopReason = 'interrupted';
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (duration !== undefined) setTimeout(() => ((stopReason = 'duration reached'), resolve()), duration * 1000).unref();
    if (scenarios.length && !values.loop && duration === undefined) void sim.done.then(() => ((stopReason = 'scenario ended'), resolve()));
  });
  const progress = setInterval(() => {
    const line = formatStats(sim.stats());
    io.stderr.write(tty ? `\r\x1b[K${line}` : `${line}\n`);
  }, tty ? 500 : 5000);
  await stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  clearInterval(progress);
  // let the last readings be acknowledged
  await new Promise((r) => setTimeout(r, 300));
  await sim.stop();
  const s = sim.stats();
  io.stderr.write(`${tty ? '\r\x1b[K' : ''}${formatStats(s)}\n`);
  io.stdout.write(`${stopReason}: sent ${s.readings} readings and ${s.events} events from ${s.devices} devices; ${s.errors} errors${s.lastError ? ` (last: ${s.lastError})` : ''}\n`);
  return s.errors > 0 && s.readings === 0 ? 1 : 0;
}

function parseMix(text: string): FleetMix {
  const mix: FleetMix = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    if (!k || !(DEVICE_KINDS as readonly string[]).includes(k) || v === undefined || !Number.isFinite(Number(v)) || Number(v) < 0) {
      throw new Error(`--mix expects kind=share pairs (${DEVICE_KINDS.join(', ')}), got "${part}"`);
    }
    mix[k as DeviceKind] = Number(v);
  }
  return mix;
}

/** `lookout fleet generate|validate`. */
export async function fleetCommand(argv: string[], io: SimIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'validate') {
    const file = rest[0];
    if (!file) {
      io.stderr.write(FLEET_HELP);
      return 2;
    }
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      const v = validateFleet(data);
      if (!v.ok) {
        io.stderr.write(`${file}: invalid\n${v.errors.map((e) => `  ${e}`).join('\n')}\n`);
        return 1;
      }
      const counts = fleetCounts(parseFleet(JSON.stringify(data)));
      io.stdout.write(`${file}: valid · ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(' · ')}\n`);
      return 0;
    } catch (err) {
      io.stderr.write(`${file}: ${(err as Error).message}\n`);
      return 1;
    }
  }
  if (sub !== 'generate') {
    (sub === 'help' || sub === '--help' ? io.stdout : io.stderr).write(FLEET_HELP);
    return sub === 'help' || sub === '--help' ? 0 : 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        size: { type: 'string', default: '2000' },
        seed: { type: 'string', default: 'huangyan' },
        mix: { type: 'string' },
        out: { type: 'string', short: 'o' },
      },
      strict: true,
    }));
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${FLEET_HELP}`);
    return 2;
  }
  if (!values.out) {
    io.stderr.write(`--out FILE is required\n${FLEET_HELP}`);
    return 2;
  }
  try {
    const size = Number(values.size);
    const fleet = generateFleet({ size, seed: values.seed, ...(values.mix ? { mix: parseMix(values.mix) } : {}) });
    writeFileSync(values.out, `${JSON.stringify(fleet, null, size > 5000 ? 0 : 1)}\n`, { mode: 0o600 });
    const counts = fleetCounts(fleet);
    io.stdout.write(`wrote ${fleet.devices.length} devices (seed "${fleet.seed}") to ${values.out}: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(' · ')}\n`);
    io.stdout.write(`register them with: lookout device import ${values.out}   (the file holds device tokens: keep it private)\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
}
