// The `lookout` command line (DESIGN.md §3 "CLI"). Every command returns an exit code; messages go to
// the given streams so tests can run commands in-process.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { DEVICE_KINDS, LookoutError, deviceCreateBody, deviceImportFile, type DeviceKind } from '../schemas/index.js';
import { CONFIG_VARS, loadConfig, type Config } from './config.js';
import { createHub, type Hub } from './hub.js';
import { resetSecondFactor } from '../identity/index.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const HELP = `lookout — IoT sensing and emergency command hub

Usage:
  lookout start                              run the hub (config from environment, see README)
  lookout demo [--scenario NAME] [--speed N] hub + simulated Huangyan fleet running a drill
  lookout sim --fleet FILE [--scenario NAME] [--speed N] [--url mqtt://…]
  lookout fleet generate [--size N] [--seed S] --out FILE
  lookout device add ID --kind K --lon X --lat Y [--name N] [--township CODE] [--attr key=value …]
  lookout device import FILE                 register every device of a fleet/import file
  lookout rules test [DIR]                   run rule fixture files (readings in, alarms out)
  lookout user reset-2fa NAME                remove a user's second factor (lost phone; the last security administrator's way back in)
  lookout audit verify                       check the audit log's hash chain (exit 1 names the first bad row)
  lookout audit export [--from T] [--to T]   audit rows as JSON lines on stdout
  lookout rules backtest [--from T] [--to T] [--rules FILE]   replay stored history through the rules
  lookout notify encrypt < FILE               a channel secret (stdin) → {"encrypted": …} under LOOKOUT_NOTIFY_KEY_FILE
  lookout notify check                       validate the channel, policy and organisation files (docs/notify.md)
  lookout help

Environment: ${Object.keys(CONFIG_VARS).join(', ')}
`;

function errorMessage(err: unknown): string {
  if (err instanceof LookoutError) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Opens the hub's database without listening (device registration and other offline work). */
async function withHub<T>(config: Config, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await createHub(config, { logger: (await import('pino')).default({ level: 'warn' }) });
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

/** Device registrations from the command line are audited like the REST route's (DESIGN.md §6a): no
 *  Lookout user is logged in here, so the row names the operating-system account that ran the command. */
function auditCli(hub: Hub, action: string, target: string | null, detail: Record<string, unknown>): void {
  let osUser: string | null = null;
  try {
    osUser = os.userInfo().username;
  } catch {
    /* no passwd entry for this uid (some containers) */
  }
  hub.audit.append({ ts: Date.now(), user: null, action, target, ip: null, detail: JSON.stringify({ via: 'lookout CLI', osUser, ...detail }) });
}

export async function startCommand(config: Config, io: Io, signals = true): Promise<{ hub: Hub; ports: { httpPort: number; mqttPort: number } }> {
  const hub = await createHub(config, {
    onFirstAdmin: (user, generated) => {
      if (generated) io.stdout.write(`\nFirst start: created user "${user}" with password ${generated}\n(shown once; set LOOKOUT_ADMIN_PASSWORD to choose it)\n\n`);
      if (config.admin2fa === 'required') io.stdout.write(`First start: "${user}" sets up two-factor login (an authenticator app) at the first login in the browser.\n`);
    },
  });
  const ports = await hub.start();
  io.stdout.write(`Lookout is running: http://${config.http.host}:${ports.httpPort}/  mqtt://${config.mqtt.host}:${ports.mqttPort}  (Ctrl-C to stop)\n`);
  if (signals) {
    const stop = (sig: string) => {
      io.stdout.write(`\n${sig}: stopping (MQTT closed, flushing readings)…\n`);
      hub.close().then(
        () => process.exit(0),
        (err) => {
          io.stderr.write(`shutdown failed: ${errorMessage(err)}\n`);
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  }
  return { hub, ports };
}

async function deviceAdd(args: string[], config: Config, io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      kind: { type: 'string' },
      lon: { type: 'string' },
      lat: { type: 'string' },
      name: { type: 'string' },
      township: { type: 'string' },
      attr: { type: 'string', multiple: true },
    },
  });
  const id = positionals[0];
  if (!id || !values.kind || values.lon === undefined || values.lat === undefined) {
    io.stderr.write('usage: lookout device add ID --kind K --lon X --lat Y [--name N] [--township CODE] [--attr key=value …]\n');
    return 2;
  }
  const attributes: Record<string, string | number | boolean> = {};
  for (const a of values.attr ?? []) {
    const eq = a.indexOf('=');
    if (eq < 1) {
      io.stderr.write(`--attr ${a}: expected key=value\n`);
      return 2;
    }
    const raw = a.slice(eq + 1);
    attributes[a.slice(0, eq)] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  const body = {
    id,
    kind: values.kind,
    lon: Number(values.lon),
    lat: Number(values.lat),
    ...(values.name ? { name: values.name } : {}),
    ...(values.township ? { township: values.township } : {}),
    ...(Object.keys(attributes).length ? { attributes } : {}),
  };
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(deviceCreateBody);
  if (!validate(body)) {
    const e = validate.errors?.[0];
    io.stderr.write(`invalid device: ${e?.instancePath || '/'} ${e?.message ?? ''}${values.kind && !DEVICE_KINDS.includes(values.kind as DeviceKind) ? ` (kinds: ${DEVICE_KINDS.join(', ')})` : ''}\n`);
    return 2;
  }
  return withHub(config, async (hub) => {
    const { device, token } = await hub.registry.add(body as Parameters<Hub['registry']['add']>[0]);
    auditCli(hub, 'device-add', device.id, { kind: device.kind });
    io.stdout.write(`registered ${device.kind} device ${device.id}\nMQTT username: ${device.id}\nMQTT password (token, shown once): ${token}\n`);
    return 0;
  });
}

async function deviceImport(args: string[], config: Config, io: Io): Promise<number> {
  const file = args[0];
  if (!file) {
    io.stderr.write('usage: lookout device import FILE\n');
    return 2;
  }
  let body: unknown;
  try {
    body = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    io.stderr.write(`cannot read ${file}: ${errorMessage(err)}\n`);
    return 2;
  }
  const ajv = new Ajv2020({ strict: false });
  const validate = ajv.compile(deviceImportFile);
  if (!validate(body)) {
    const e = validate.errors?.[0];
    io.stderr.write(`${file} is not a device file: ${e?.instancePath || '/'} ${e?.message ?? ''}\n`);
    return 2;
  }
  const devices = (body as { devices: Parameters<Hub['registry']['importMany']>[0] }).devices;
  return withHub(config, async (hub) => {
    const r = await hub.registry.importMany(devices, (done, total) => io.stdout.write(`\rregistering devices ${done}/${total}`));
    auditCli(hub, 'device-import', path.resolve(file), { count: devices.length, created: r.created, updated: r.updated });
    io.stdout.write(`\nimported ${devices.length} devices (${r.created} new, ${r.updated} updated)\n`);
    return 0;
  });
}

/** On the hub's host (whoever runs it can read the database anyway): the break-glass for a lost phone. */
async function userReset2fa(name: string, config: Config, io: Io): Promise<number> {
  return withHub(config, async (hub) => {
    if (!hub.users.get(name)) {
      io.stderr.write(`no user "${name}"\n`);
      return 1;
    }
    const { had, detail } = resetSecondFactor(hub.twoFactor, hub.users, name);
    hub.audit.append({ ts: Date.now(), user: null, action: 'user-2fa-reset', target: name, ip: null, detail: `lookout user reset-2fa on the host; ${detail}` });
    io.stdout.write(had ? `removed the second factor of "${name}"; they enrol a new authenticator app at their next login\n` : `"${name}" had no second factor\n`);
    return 0;
  });
}

export async function main(argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'start': {
        await startCommand(loadConfig(env, { root: ROOT }), io);
        return await new Promise<number>(() => {}); // runs until a signal
      }
      case 'device': {
        const [sub, ...args] = rest;
        const config = loadConfig(env, { root: ROOT });
        if (sub === 'add') return await deviceAdd(args, config, io);
        if (sub === 'import') return await deviceImport(args, config, io);
        io.stderr.write('usage: lookout device add|import …\n');
        return 2;
      }
      case 'user': {
        const [sub, name] = rest;
        if (sub !== 'reset-2fa' || !name) {
          io.stderr.write('usage: lookout user reset-2fa NAME\n');
          return 2;
        }
        return await userReset2fa(name, loadConfig(env, { root: ROOT }), io);
      }
      case 'audit': {
        const { auditCommand } = await import('./audit-cli.js');
        return await auditCommand(rest, loadConfig(env, { root: ROOT }), io);
      }
      case 'demo': {
        const { demoCommand } = await import('./demo.js');
        return await demoCommand(rest, env, io);
      }
      case 'sim': {
        const { simCommand } = await import('../device-sim/cli.js');
        return await simCommand(rest, io);
      }
      case 'fleet': {
        const { fleetCommand } = await import('../device-sim/cli.js');
        return await fleetCommand(rest, io);
      }
      case 'rules': {
        const { rulesCommand } = await import('./rules-cli.js');
        return await rulesCommand(rest, env, io);
      }
      case 'notify': {
        const { notifyCommand } = await import('./notify-cli.js');
        return await notifyCommand(rest, env, io);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout.write(HELP);
        return 0;
      default:
        io.stderr.write(`unknown command "${cmd}"\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    io.stderr.write(`${errorMessage(err)}\n`);
    return 1;
  }
}
