// `lookout rules test DIR` (fixture files: readings in, expected alarms out, virtual clock — like
// `promtool test rules`) and `lookout rules backtest --from --to [--rules FILE]` (replay stored history).
import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backtest, runRuleFixtures } from '../../alerting/index.js';
import { openDeviceRegistry } from '../../broker/index.js';
import { createStateDb, parseDbTarget } from '../../db/index.js';
import { readStoredReadings } from '../../ingest/index.js';
import { systemClock } from '../../schemas/index.js';
import { loadConfig } from '../config.js';
import type { Io } from '../io.js';
import { ROOT } from '../paths.js';
import { parseTimeArg } from './time-arg.js';

export async function rulesCommand(argv: string[], env: Record<string, string | undefined>, io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'test') {
    const dir = rest[0] ?? path.join(ROOT, 'alerting', 'fixtures');
    if (!existsSync(dir)) {
      io.stderr.write(`no such folder: ${dir}\n`);
      return 2;
    }
    const r = await runRuleFixtures(dir);
    io.stdout.write(r.report.endsWith('\n') ? r.report : `${r.report}\n`);
    return r.failed === 0 && r.passed > 0 ? 0 : 1;
  }
  if (sub === 'backtest') {
    const { values } = parseArgs({ args: rest, options: { from: { type: 'string' }, to: { type: 'string' }, rules: { type: 'string' } } });
    const from = parseTimeArg(values.from, 'from');
    const to = parseTimeArg(values.to, 'to');
    const config = loadConfig(env, { root: ROOT });
    if (config.store !== 'sqlite') {
      io.stderr.write('backtest reads the embedded telemetry store; with LOOKOUT_STORE=' + config.store + ' export the range to SQLite first\n');
      return 2;
    }
    // the devices from the state database (LOOKOUT_DB), read only: no migration, no write
    const stateDb = createStateDb({}, { target: parseDbTarget(config.db.url), caFile: config.db.caFile, migrateOnStart: false });
    try {
      await stateDb.start();
      const registry = await openDeviceRegistry({ repo: stateDb.repos.devices, clock: systemClock });
      const readings = readStoredReadings(path.join(config.dataDir, 'telemetry.db'), { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }, (id) => registry.get(id)?.kind);
      io.stdout.write(`replaying ${readings.length} readings…\n`);
      const result = await backtest({ readings, devices: registry, ...(values.rules ? { rulesFile: values.rules } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
      io.stdout.write(result.report.endsWith('\n') ? result.report : `${result.report}\n`);
      return 0;
    } finally {
      await stateDb.close();
    }
  }
  io.stderr.write('usage: lookout rules test DIR | lookout rules backtest [--from T] [--to T] [--rules FILE]\n');
  return 2;
}
