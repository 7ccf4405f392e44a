// VictoriaMetrics adapter (docs/architecture.md). Writes InfluxDB line protocol to /api/v2/write (series
// `flood_level{device="…"}`), reads raw points through /api/v1/export (exact, deduplicated by
// VictoriaMetrics and again here by timestamp), latest values through /api/v1/query with
// last_over_time/tlast_over_time. Idempotency needs the server flag `-dedup.minScrapeInterval=1ms`.
// VictoriaMetrics acknowledges a write before its buffers reach disk (about a second or more; a hard
// kill loses that tail), so `confirmWindowMs` (default 30 s) keeps acknowledged batches re-sendable.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock, HistoryPoint } from '../../schemas/index.js';
import type { HistoryRequest, LatestValues } from '../telemetry-store.js';
import { toLineProtocol } from './line-protocol.js';
import { aggregatePoints, checkResponse, mergeSeries, timedFetch, validateHistoryRequest, windowStart, windowValue, RemoteWriteError, type RemoteBackend } from './remote.js';
import { createSpooledStore, type RejectHandler, type SpooledStoreConfig, type SpooledTelemetryStore, type StoreEvent } from './spooled-store.js';
import type { Spool } from './spool.js';

export interface VictoriaMetricsConfig extends SpooledStoreConfig {
  /** e.g. http://127.0.0.1:8428 (VM_URL) */
  url: string;
  /** extra headers, e.g. Authorization for vmauth */
  headers?: Record<string, string>;
  /** how far back latest() looks (default 400 days) */
  latestLookbackMs?: number;
  /** keep acknowledged batches re-sendable this long (default 30 s) */
  confirmWindowMs?: number;
  /** timeout for queries (default 30 s) */
  queryTimeoutMs?: number;
}

export interface RemoteStoreDeps {
  clock: Clock;
  logger: Logger;
  metrics?: Registry;
  spool: Spool;
  onReject?: RejectHandler;
  onEvent?: (e: StoreEvent) => void;
  /** township tag for a device (from the registry); omitted when unknown */
  townshipOf?: (deviceId: string) => string | null | undefined;
}

interface ExportLine {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** A PromQL/MetricsQL double-quoted string literal. */
export function promString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

/** A regex-safe literal (for `=~` matchers). */
function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createVictoriaMetricsBackend(deps: Pick<RemoteStoreDeps, 'townshipOf'>, config: VictoriaMetricsConfig): RemoteBackend {
  const base = config.url.replace(/\/+$/, '');
  const timeoutMs = config.timeoutMs ?? 10_000;
  const queryTimeoutMs = config.queryTimeoutMs ?? 30_000;
  const lookbackMs = config.latestLookbackMs ?? 400 * 86_400_000;
  const headers = config.headers ?? {};
  const lineOpts = deps.townshipOf ? { townshipOf: deps.townshipOf } : {};

  async function exportSeries(match: string, from?: number, to?: number): Promise<ExportLine[]> {
    const params = new URLSearchParams();
    params.append('match[]', match);
    if (from !== undefined) params.set('start', (from / 1000).toFixed(3));
    if (to !== undefined) params.set('end', (to / 1000).toFixed(3));
    const res = await timedFetch(`${base}/api/v1/export`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: params.toString(),
      timeoutMs: queryTimeoutMs,
    });
    if (!res.ok) await checkResponse(res, 'export');
    const text = await res.text();
    const out: ExportLine[] = [];
    for (const line of text.split('\n')) {
      if (line.trim()) out.push(JSON.parse(line) as ExportLine);
    }
    return out;
  }

  /** a PromQL API call (`query` or `query_range`): its result list, or an error naming the call */
  async function promQuery<R>(api: 'query' | 'query_range', params: Record<string, string>): Promise<R[]> {
    const res = await timedFetch(`${base}/api/v1/${api}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...params, nocache: '1' }).toString(),
      timeoutMs: queryTimeoutMs,
    });
    if (!res.ok) await checkResponse(res, api);
    const body = (await res.json()) as { status: string; data?: { result?: R[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${api} failed: ${body.error ?? 'unknown'}`);
    return body.data?.result ?? [];
  }

  function instantQuery(q: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
    return promQuery('query', { query: q });
  }

  async function rangeQuery(q: string, start: number, end: number, step: number): Promise<Map<number, number>> {
    const result = await promQuery<{ values: Array<[number, string]> }>('query_range', { query: q, start: (start / 1000).toFixed(3), end: (end / 1000).toFixed(3), step: `${step}ms` });
    const out = new Map<number, number>();
    for (const series of result) {
      for (const [t, v] of series.values) out.set(Math.round(t * 1000), Number(v));
    }
    return out;
  }

  /**
   * Windowed history computed by VictoriaMetrics (rollups over each window) instead of exporting every
   * raw point: used when from/to are multiples of step (what charts ask for). The value at time t of
   * `f_over_time(x[step])` covers (t - step, t]; evaluated at t = window start + step - 1 ms it covers
   * exactly [start, start + step) for millisecond timestamps. Several series of one metric (a device
   * whose tags changed) are combined with sum/min/max over them.
   */
  async function serverWindows(req: HistoryRequest & { step: number }): Promise<HistoryPoint[]> {
    const step = req.step;
    const sel = selector(req.deviceId, req.kind, req.metric);
    const win = `[${step}ms]`;
    const start = req.from + step - 1;
    const end = req.to - 1;
    const [sums, counts, mins, maxs] = await Promise.all([
      rangeQuery(`sum(sum_over_time(${sel}${win}))`, start, end, step),
      rangeQuery(`sum(count_over_time(${sel}${win}))`, start, end, step),
      rangeQuery(`min(min_over_time(${sel}${win}))`, start, end, step),
      rangeQuery(`max(max_over_time(${sel}${win}))`, start, end, step),
    ]);
    const out: HistoryPoint[] = [];
    for (const [t, n] of [...counts.entries()].sort((a, b) => a[0] - b[0])) {
      if (!(n > 0)) continue;
      const sum = sums.get(t) ?? 0;
      const min = mins.get(t) ?? NaN;
      const max = maxs.get(t) ?? NaN;
      const value = windowValue(req.agg ?? 'mean', { sum, n, min, max, last: NaN });
      out.push({ ts: t - step + 1, value, min, max });
    }
    return out;
  }

  function selector(deviceId: string, kind: string, metric?: string): string {
    const nameMatch = metric ? `__name__=${promString(`${kind}_${metric}`)}` : `__name__=~${promString(`${reEscape(kind)}_.+`)}`;
    return `{${nameMatch},device=${promString(deviceId)}}`;
  }

  return {
    name: 'victoriametrics',
    confirmWindowMs: config.confirmWindowMs ?? 30_000,
    async send(readings, signal) {
      const body = toLineProtocol(readings, lineOpts);
      const res = await timedFetch(`${base}/api/v2/write?precision=ms`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
        body,
        signal,
        timeoutMs,
      });
      await checkResponse(res, 'write');
    },
    async query(req: HistoryRequest): Promise<HistoryPoint[]> {
      validateHistoryRequest(req);
      if (req.to <= req.from) return [];
      const step = req.step;
      if (
        step !== undefined &&
        (req.agg ?? 'mean') !== 'last' &&
        windowStart(req.from, step) === req.from &&
        windowStart(req.to, step) === req.to &&
        (req.to - req.from) / step <= 10_000
      ) {
        return serverWindows({ ...req, step });
      }
      const series = await exportSeries(selector(req.deviceId, req.kind, req.metric), req.from, req.to - 1);
      const raw = mergeSeries(series, req.from, req.to);
      return req.step ? aggregatePoints(raw, req.step, req.agg ?? 'mean') : raw;
    },
    async latest(deviceId, kind): Promise<LatestValues | null> {
      const sel = selector(deviceId, kind);
      const win = `[${Math.ceil(lookbackMs / 1000)}s]`;
      const [vals, times] = await Promise.all([
        instantQuery(`last_over_time(${sel}${win}) keep_metric_names`),
        instantQuery(`tlast_over_time(${sel}${win}) keep_metric_names`),
      ]);
      const prefix = `${kind}_`;
      const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
      const tsBySeries = new Map<string, number>();
      for (const t of times) tsBySeries.set(key(t.metric), Math.round(Number(t.value[1]) * 1000));
      const best = new Map<string, { ts: number; value: number }>();
      for (const v of vals) {
        const metricName = v.metric.__name__ ?? '';
        if (!metricName.startsWith(prefix)) continue;
        const metric = metricName.slice(prefix.length);
        const ts = tsBySeries.get(key(v.metric)) ?? 0;
        const prev = best.get(metric);
        if (!prev || ts > prev.ts) best.set(metric, { ts, value: Number(v.value[1]) });
      }
      if (best.size === 0) return null;
      const values: Record<string, number> = {};
      let ts = 0;
      for (const [metric, p] of best) {
        values[metric] = p.value;
        if (p.ts > ts) ts = p.ts;
      }
      return { ts, values };
    },
    async count(deviceId, kind, metric): Promise<number> {
      const series = await exportSeries(selector(deviceId, kind, metric));
      const byName = new Map<string, Set<number>>();
      for (const s of series) {
        const n = s.metric.__name__ ?? '';
        let set = byName.get(n);
        if (!set) byName.set(n, (set = new Set()));
        for (const ts of s.timestamps) set.add(ts);
      }
      let total = 0;
      for (const set of byName.values()) total += set.size;
      return total;
    },
    async ping(signal) {
      const res = await timedFetch(`${base}/health`, { headers, signal, timeoutMs });
      if (!res.ok) await checkResponse(res, 'health');
      else await res.arrayBuffer();
    },
    async instance(signal) {
      const res = await timedFetch(`${base}/metrics`, { headers, signal, timeoutMs });
      if (!res.ok) await checkResponse(res, 'metrics');
      const text = await res.text();
      const m = /^vm_app_start_timestamp\s+(\S+)/m.exec(text);
      if (!m) throw new RemoteWriteError('no vm_app_start_timestamp in /metrics', true);
      return m[1]!;
    },
    async settle() {
      // force_flush answers before every flushed part is searchable (VictoriaMetrics 1.79 adds parts in the
      // background): flush, then wait until no rows are pending and the searchable row count has stopped
      // moving for a few polls. Used by tests and benchmarks, never on the ingest path.
      const flush = async () => checkResponse(await timedFetch(`${base}/internal/force_flush`, { headers, timeoutMs }), 'force_flush');
      const sum = (text: string, re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      await flush();
      const deadline = Date.now() + 5000;
      let last = -1;
      let stable = 0;
      while (Date.now() < deadline && stable < 3) {
        const text = await (await timedFetch(`${base}/metrics`, { headers, timeoutMs })).text();
        const pending = sum(text, /^vm_pending_rows\{[^}]*\}\s+(\S+)/gm);
        const rows = sum(text, /^vm_rows\{type="storage\/[^"]*"\}\s+(\S+)/gm);
        stable = pending === 0 && rows === last ? stable + 1 : 0;
        last = rows;
        if (pending > 0) await flush();
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {},
  };
}

export function createVictoriaMetricsStore(deps: RemoteStoreDeps, config: VictoriaMetricsConfig): SpooledTelemetryStore {
  if (!/^https?:\/\//.test(config.url)) throw new Error(`VM_URL must be an http(s) URL (got ${JSON.stringify(config.url)})`);
  return createSpooledStore(createVictoriaMetricsBackend(deps, config), deps, config);
}
