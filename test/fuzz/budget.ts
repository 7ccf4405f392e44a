// Fuzz budget: CI runs a bounded number of cases (well under a minute in `npm test`); `npm run fuzz`
// sets FUZZ_SECONDS (and optionally FUZZ_RUNS) to run the same properties longer. Each fuzzer prints
// one summary line and appends it to test-artifacts/fuzz-summary.jsonl.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const seconds = Number(process.env.FUZZ_SECONDS ?? 0);
const runs = Number(process.env.FUZZ_RUNS ?? 0);

export const LONG = seconds > 0 || runs > 0;

/** numRuns and time limit for one property: CI default, or the long run's budget. */
export function budget(ciRuns: number): { numRuns: number; interruptAfterTimeLimit?: number; markInterruptAsFailure: false } {
  if (!LONG) return { numRuns: ciRuns, markInterruptAsFailure: false };
  return {
    numRuns: runs > 0 ? runs : Number.MAX_SAFE_INTEGER,
    ...(seconds > 0 ? { interruptAfterTimeLimit: seconds * 1000 } : {}),
    markInterruptAsFailure: false,
  };
}

/** vitest timeout for a fuzz test */
export function timeoutMs(ciMs: number): number {
  return LONG ? (seconds > 0 ? seconds * 1000 + 120_000 : 24 * 3600_000) : ciMs;
}

export function report(name: string, cases: number, ms: number, extra: Record<string, unknown> = {}): void {
  const line = { fuzzer: name, cases, seconds: Math.round(ms / 100) / 10, mode: LONG ? 'long' : 'ci', at: new Date().toISOString(), ...extra };
  console.log(`fuzz ${name}: ${cases} cases in ${line.seconds} s ${JSON.stringify(extra)}`);
  try {
    const dir = path.resolve('test-artifacts');
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, 'fuzz-summary.jsonl'), `${JSON.stringify(line)}\n`);
  } catch {
    /* the summary file is a convenience */
  }
}
