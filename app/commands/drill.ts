// `lookout drill end` (结束演练 offline): every drill alarm clears, every drill incident closes with reason
// `drill`, every drill event closes; they stay in the database for review. On a running hub use the console's
// 结束演练 button or POST /api/drill/end instead (the hub holds open incidents in memory). Audited with the
// operating-system account, like the other offline commands.
import type { Config } from '../config.js';
import type { Io } from '../io.js';
import { auditCli, withHub } from './offline-hub.js';

export async function drillCommand(args: string[], config: Config, io: Io): Promise<number> {
  if (args[0] !== 'end' || args.length > 1) {
    io.stderr.write('usage: lookout drill end\n');
    return 2;
  }
  return await withHub(config, async (hub) => {
    const out = hub.alerting.drillEnd('lookout CLI');
    auditCli(hub, 'drill-end', 'drill', { ...out });
    io.stdout.write(`drill ended: ${out.alarms} alarm(s) cleared, ${out.incidents} incident(s) and ${out.events} event(s) closed (kept for review)\n`);
    return 0;
  });
}
