// InfluxDB adapter (docs/architecture.md): line protocol through `@influxdata/influxdb-client` (InfluxDB 2.x/3.x,
// and 1.8+ with token "user:password" and bucket "db/rp"), Flux for reads. The client's own retry
// buffer is switched off (maxRetries 0 and a `writeFailed` that fails the flush): it only buffers in
// memory and drops the oldest lines past its limit, so durability is the spool's job (spooled-store.ts).
// Reads fetch raw points in [from, to) and window them here, so every store windows identically
// (windows aligned to epoch multiples of `step`, ts = window start).
import { InfluxDB, type QueryApi } from '@influxdata/influxdb-client';
import type { HistoryPoint } from '../../schemas/index.js';
import type { HistoryRequest, LatestValues } from '../telemetry-store.js';
import { toLine } from './line-protocol.js';
import { aggregatePoints, checkResponse, timedFetch, toRemoteError, validateHistoryRequest, type RemoteBackend } from './remote.js';
import { createSpooledStore, type SpooledStoreConfig, type SpooledTelemetryStore } from './spooled-store.js';
import type { RemoteStoreDeps } from './victoriametrics-store.js';

export interface InfluxDbConfig extends SpooledStoreConfig {
  url: string;
  token: string;
  org: string;
  bucket: string;
  /** how far back latest() looks (default 400 days) */
  latestLookbackMs?: number;
  /** timeout for queries (default 30 s) */
  queryTimeoutMs?: number;
}

/** A Flux string literal: escapes `"`, `\` and `${` (string interpolation). */
export function fluxString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\$\{/g, '\\${').replace(/\n/g, '\\n')}"`;
}

/** A Flux time literal for epoch ms (RFC 3339 with milliseconds). */
export function fluxTime(ms: number): string {
  return new Date(ms).toISOString();
}

interface Row {
  _time: string;
  _value: number;
  _field: string;
}

export function createInfluxDbBackend(deps: Pick<RemoteStoreDeps, 'townshipOf'>, config: InfluxDbConfig): RemoteBackend {
  const timeoutMs = config.timeoutMs ?? 10_000;
  const queryTimeoutMs = config.queryTimeoutMs ?? 30_000;
  const lookbackMs = config.latestLookbackMs ?? 400 * 86_400_000;
  const base = config.url.replace(/\/+$/, '');
  const client = new InfluxDB({ url: base, token: config.token, timeout: timeoutMs });
  const queryClient = new InfluxDB({ url: base, token: config.token, timeout: queryTimeoutMs });
  const queryApi: QueryApi = queryClient.getQueryApi(config.org);
  const lineOpts = deps.townshipOf ? { townshipOf: deps.townshipOf } : {};
  const bucket = fluxString(config.bucket);

  function filter(deviceId: string, kind: string, metric?: string): string {
    const parts = [`r._measurement == ${fluxString(kind)}`, `r.device == ${fluxString(deviceId)}`];
    if (metric) parts.push(`r._field == ${fluxString(metric)}`);
    return `|> filter(fn: (r) => ${parts.join(' and ')})`;
  }

  async function rows(flux: string): Promise<Row[]> {
    try {
      return await queryApi.collectRows<Row>(flux);
    } catch (err) {
      throw toRemoteError(err);
    }
  }

  return {
    name: 'influxdb',
    confirmWindowMs: 0,
    async send(readings, signal) {
      // One WriteApi per batch: errors belong to exactly this batch, nothing lingers in a client buffer.
      const writeApi = client.getWriteApi(config.org, config.bucket, 'ms', {
        batchSize: readings.length + 1,
        flushInterval: 0,
        maxRetries: 0,
        maxBufferLines: readings.length + 1,
        writeFailed: (error: Error) => Promise.reject(error),
      });
      let onAbort: () => void = () => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => {
          void writeApi.dispose();
          reject(toRemoteError(signal.reason ?? Object.assign(new Error('aborted'), { name: 'AbortError' })));
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      aborted.catch(() => undefined);
      try {
        writeApi.writeRecords(readings.map((r) => toLine(r, lineOpts)));
        await Promise.race([writeApi.close(), aborted]);
      } catch (err) {
        throw toRemoteError(err);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async query(req: HistoryRequest): Promise<HistoryPoint[]> {
      validateHistoryRequest(req);
      if (req.to <= req.from) return [];
      const flux = `from(bucket: ${bucket})
  |> range(start: ${fluxTime(req.from)}, stop: ${fluxTime(req.to)})
  ${filter(req.deviceId, req.kind, req.metric)}
  |> keep(columns: ["_time", "_value", "_field"])`;
      const byTs = new Map<number, number>();
      for (const r of await rows(flux)) {
        const ts = Date.parse(r._time);
        if (ts >= req.from && ts < req.to) byTs.set(ts, Number(r._value));
      }
      const raw = [...byTs.entries()].sort((a, b) => a[0] - b[0]).map(([ts, value]) => ({ ts, value }));
      return req.step ? aggregatePoints(raw, req.step, req.agg ?? 'mean') : raw;
    },
    async latest(deviceId, kind): Promise<LatestValues | null> {
      const flux = `from(bucket: ${bucket})
  |> range(start: -${Math.ceil(lookbackMs / 1000)}s)
  ${filter(deviceId, kind)}
  |> last()
  |> keep(columns: ["_time", "_value", "_field"])`;
      const best = new Map<string, { ts: number; value: number }>();
      for (const r of await rows(flux)) {
        const ts = Date.parse(r._time);
        const prev = best.get(r._field);
        if (!prev || ts > prev.ts) best.set(r._field, { ts, value: Number(r._value) });
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
      const flux = `from(bucket: ${bucket})
  |> range(start: 1970-01-01T00:00:00Z)
  ${filter(deviceId, kind, metric)}
  |> count()
  |> keep(columns: ["_value"])`;
      let n = 0;
      for (const r of await rows(flux)) n += Number(r._value);
      return n;
    },
    async ping(signal) {
      const res = await timedFetch(`${base}/ping`, { signal, timeoutMs });
      await checkResponse(res, 'ping');
    },
    async close() {},
  };
}

export function createInfluxDbStore(deps: RemoteStoreDeps, config: InfluxDbConfig): SpooledTelemetryStore {
  if (!/^https?:\/\//.test(config.url)) throw new Error(`INFLUX_URL must be an http(s) URL (got ${JSON.stringify(config.url)})`);
  for (const k of ['token', 'org', 'bucket'] as const) {
    if (!config[k]) throw new Error(`INFLUX_${k.toUpperCase()} must be set for the influxdb store`);
  }
  return createSpooledStore(createInfluxDbBackend(deps, config), deps, config);
}
