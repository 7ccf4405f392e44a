// What a remote time-series database adapter provides to the spooled store (spooled-store.ts), plus the
// helpers both remote adapters share: error classification, timed fetch, client-side windowing.
import type { HistoryPoint, Reading } from '../../schemas/index.js';
import type { Aggregate, HistoryRequest, LatestValues, StoreName } from '../telemetry-store.js';

/**
 * A write the database did not confirm. `retryable` (network error, timeout, HTTP 5xx, 408, 429) sends
 * the batch to the spool; otherwise (HTTP 4xx) the database refused the data itself and retrying the
 * same bytes cannot help: the readings go to the dead-letter lane with `message` as the reason.
 */
export class RemoteWriteError extends Error {
  readonly retryable: boolean;
  readonly status: number | undefined;
  constructor(message: string, retryable: boolean, status?: number) {
    super(message);
    this.name = 'RemoteWriteError';
    this.retryable = retryable;
    this.status = status;
  }
}

/**
 * HTTP status → retryable? (2xx never reaches here). 5xx, 408, 425, 429: the database is down or busy.
 * 401, 403, 404: a wrong token or a missing bucket/org is a configuration fault, not bad data — keep
 * the readings in the spool until it is fixed instead of dead-lettering every reading.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || [401, 403, 404, 408, 425, 429].includes(status);
}

/** Wrap anything thrown by a transport into a RemoteWriteError (unknown errors count as retryable). */
export function toRemoteError(err: unknown): RemoteWriteError {
  if (err instanceof RemoteWriteError) return err;
  const e = err as { name?: string; message?: string; statusCode?: number; body?: string; code?: string; cause?: { code?: string; message?: string } };
  if (typeof e?.statusCode === 'number') {
    const body = typeof e.body === 'string' ? e.body.slice(0, 500) : '';
    return new RemoteWriteError(`HTTP ${e.statusCode}${body ? `: ${body}` : ''}`, isRetryableStatus(e.statusCode), e.statusCode);
  }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.name === 'RequestTimedOutError') {
    return new RemoteWriteError(`timeout: ${e.message ?? ''}`.trim(), true);
  }
  const code = e?.cause?.code ?? e?.code;
  const msg = e?.cause?.message ?? e?.message ?? String(err);
  return new RemoteWriteError(`network error${code ? ` ${code}` : ''}: ${msg}`, true);
}

export interface RemoteBackend {
  readonly name: StoreName;
  /** Send one batch; resolve once the database confirmed it; throw (ideally a RemoteWriteError). */
  send(readings: readonly Reading[], signal: AbortSignal): Promise<void>;
  query(req: HistoryRequest): Promise<HistoryPoint[]>;
  latest(deviceId: string, kind: Reading['kind']): Promise<LatestValues | null>;
  count(deviceId: string, kind: Reading['kind'], metric?: string): Promise<number>;
  /** resolve when the database answers, throw otherwise */
  ping(signal: AbortSignal): Promise<void>;
  /**
   * An id that changes when the database process restarted (optional). A database that acknowledges
   * writes before they reach its disk (VictoriaMetrics) loses that tail in a crash; a changed id tells
   * the spooled store to re-send what it wrote inside `confirmWindowMs`.
   */
  instance?(signal: AbortSignal): Promise<string>;
  /** how long after an acknowledgement a write may still be lost by a database crash (0 = never) */
  readonly confirmWindowMs: number;
  /** make acknowledged writes visible to queries now (tests, benchmarks) */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

/** fetch with a timeout joined to an outer signal; HTTP errors are returned, not thrown */
export async function timedFetch(url: string, init: RequestInit & { timeoutMs: number; signal?: AbortSignal }): Promise<Response> {
  const signals = [AbortSignal.timeout(init.timeoutMs)];
  if (init.signal) signals.push(init.signal);
  const { timeoutMs: _t, ...rest } = init;
  return fetch(url, { ...rest, signal: AbortSignal.any(signals) });
}

/** Throw a RemoteWriteError for a non-2xx response (reads a short excerpt of the body as the reason). */
export async function checkResponse(res: Response, what: string): Promise<void> {
  if (res.ok) {
    // Drain so the connection is reused.
    await res.arrayBuffer().catch(() => undefined);
    return;
  }
  const text = (await res.text().catch(() => '')).slice(0, 500).trim();
  throw new RemoteWriteError(`${what}: HTTP ${res.status}${text ? `: ${text}` : ''}`, isRetryableStatus(res.status), res.status);
}

/** Window start for a timestamp: windows are aligned to multiples of `step` since the epoch. */
export function windowStart(ts: number, step: number): number {
  return Math.floor(ts / step) * step;
}

/** The value a window reports for `agg` (n > 0). */
export function windowValue(agg: Aggregate, w: { sum: number; n: number; min: number; max: number; last: number }): number {
  switch (agg) {
    case 'mean': return w.sum / w.n;
    case 'sum': return w.sum;
    case 'min': return w.min;
    case 'max': return w.max;
    case 'last': return w.last;
    case 'count': return w.n;
  }
}

/**
 * Aggregate ascending raw points per window (aligned to epoch multiples of `step`, point ts = window
 * start). Every point carries min and max of its window.
 */
export function aggregatePoints(raw: readonly HistoryPoint[], step: number, agg: Aggregate = 'mean'): HistoryPoint[] {
  const out: HistoryPoint[] = [];
  let cur: { ts: number; sum: number; n: number; min: number; max: number; last: number } | null = null;
  const emit = () => {
    if (cur) out.push({ ts: cur.ts, value: windowValue(agg, cur), min: cur.min, max: cur.max });
  };
  for (const p of raw) {
    const w = windowStart(p.ts, step);
    if (!cur || cur.ts !== w) {
      emit();
      cur = { ts: w, sum: 0, n: 0, min: Infinity, max: -Infinity, last: p.value };
    }
    cur.sum += p.value;
    cur.n += 1;
    if (p.value < cur.min) cur.min = p.value;
    if (p.value > cur.max) cur.max = p.value;
    cur.last = p.value;
  }
  emit();
  return out;
}

/** Merge points of several series of one metric (same device, different optional tags), one per ts. */
export function mergeSeries(series: ReadonlyArray<{ timestamps: readonly number[]; values: readonly number[] }>, from: number, to: number): HistoryPoint[] {
  const byTs = new Map<number, number>();
  for (const s of series) {
    for (let i = 0; i < s.timestamps.length; i++) {
      const ts = s.timestamps[i] as number;
      if (ts >= from && ts < to) byTs.set(ts, s.values[i] as number);
    }
  }
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value }));
}

export function validateHistoryRequest(req: HistoryRequest): void {
  if (!Number.isFinite(req.from) || !Number.isFinite(req.to)) throw new RangeError('from and to must be epoch ms');
  if (req.step !== undefined && !(req.step > 0)) throw new RangeError('step must be > 0 ms');
}
