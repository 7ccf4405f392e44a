// A `--from` / `--to` command-line time: ISO 8601 or epoch milliseconds (lookout audit export, rules backtest).
export function parseTimeArg(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} ${raw}: expected an ISO 8601 time or epoch milliseconds`);
  return n;
}
