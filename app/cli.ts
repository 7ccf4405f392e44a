// The `lookout` command line (README "Commands"). Every command returns an exit code; messages go to
// the given streams so tests can run commands in-process.
// The commands live in app/commands/ and import nothing from this file, so there is no import circle
// (test/structure/no-circles.test.ts); they are loaded on demand, so `lookout help` stays fast.
import { CONFIG_VARS, loadConfig } from './config.js';
import { errorMessage, type Io } from './io.js';
import { ROOT } from './paths.js';

export { ROOT } from './paths.js';
export type { Io } from './io.js';

const HELP = `lookout — IoT sensing and emergency command hub

Usage:
  lookout start                              run the hub (config from environment, see README)
  lookout demo [--scenario NAME] [--speed N] hub + simulated Huangyan fleet running a drill
  lookout drill end                           结束演练: close every drill alarm, incident and event (kept for review); hub stopped
  lookout sim --fleet FILE [--scenario NAME] [--speed N] [--url mqtt://…]
  lookout fleet generate [--size N] [--seed S] --out FILE
  lookout device add ID --kind K --lon X --lat Y [--name N] [--township CODE] [--attr key=value …]
  lookout device import FILE                 register every device of a fleet/import file
  lookout rules test [DIR]                   run rule fixture files (readings in, alarms out)
  lookout user reset-2fa NAME                remove a user's second factor (lost phone; the last security administrator's way back in)
  lookout db migrate | status                apply / list the state database's schema steps (LOOKOUT_DB)
  lookout db copy --from sqlite:FILE --to postgres://…   move an installation's state (counts and audit chain checked)
  lookout audit verify                       check the audit log's hash chain (exit 1 names the first bad row)
  lookout audit export [--from T] [--to T]   audit rows as JSON lines on stdout
  lookout rules backtest [--from T] [--to T] [--rules FILE]   replay stored history through the rules
  lookout notify encrypt < FILE               a channel secret (stdin) → {"encrypted": …} under LOOKOUT_NOTIFY_KEY_FILE
  lookout notify check                       validate the channel, policy and organisation files (docs/notify.md)
  lookout help

Environment: ${Object.keys(CONFIG_VARS).join(', ')}
`;

export async function main(argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'start': {
        const { startCommand } = await import('./commands/start.js');
        await startCommand(loadConfig(env, { root: ROOT }), io);
        return await new Promise<number>(() => {}); // runs until a signal
      }
      case 'device': {
        const [sub, ...args] = rest;
        const config = loadConfig(env, { root: ROOT });
        const { deviceAdd, deviceImport } = await import('./commands/device.js');
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
        const { userReset2fa } = await import('./commands/user.js');
        return await userReset2fa(name, loadConfig(env, { root: ROOT }), io);
      }
      case 'db': {
        const { dbCommand } = await import('./commands/db.js');
        return await dbCommand(rest, loadConfig(env, { root: ROOT }), io);
      }
      case 'audit': {
        const { auditCommand } = await import('./commands/audit.js');
        return await auditCommand(rest, loadConfig(env, { root: ROOT }), io);
      }
      case 'demo': {
        const { demoCommand } = await import('./commands/demo.js');
        return await demoCommand(rest, env, io);
      }
      case 'sim': {
        const { simCommand } = await import('../device-sim/index.js');
        return await simCommand(rest, io);
      }
      case 'fleet': {
        const { fleetCommand } = await import('../device-sim/index.js');
        return await fleetCommand(rest, io);
      }
      case 'rules': {
        const { rulesCommand } = await import('./commands/rules.js');
        return await rulesCommand(rest, env, io);
      }
      case 'drill': {
        const { drillCommand } = await import('./commands/drill.js');
        return await drillCommand(rest, loadConfig(env, { root: ROOT }), io);
      }
      case 'notify': {
        const { notifyCommand } = await import('./commands/notify.js');
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
