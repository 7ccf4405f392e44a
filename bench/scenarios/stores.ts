// Scenario 4 — stores: readings/s written to SQLite and VictoriaMetrics, spool replay rate. The store
// measurements live in bench/stores.ts (owned by the stores helper); this scenario calls it when present.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR } from '../lib/rpc.js';

type StoresModule = Record<string, unknown>;

export async function storesScenario(o: { quick: boolean }): Promise<unknown> {
  const file = path.join(BENCH_DIR, 'stores.ts');
  if (!existsSync(file)) {
    console.log('\nstores: skipped (bench/stores.ts is not there yet)');
    return null;
  }
  const mod = (await import(pathToFileURL(file).href)) as StoresModule;
  const fn = (mod.storesScenario ?? mod.runStoresBench ?? mod.run ?? mod.main ?? mod.default) as ((o: { quick: boolean }) => unknown) | undefined;
  if (typeof fn !== 'function') {
    console.log('\nstores: skipped (bench/stores.ts exports no storesScenario/run/main function)');
    return null;
  }
  return await fn({ quick: o.quick });
}
