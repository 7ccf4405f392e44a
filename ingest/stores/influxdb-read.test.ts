// The InfluxDB adapter's read path without an InfluxDB (none is packaged for CI): a local HTTP server plays
// /api/v2/query, records the Flux each call sends and answers in InfluxDB's annotated CSV. The Flux is
// compared whole with a golden text per query type — the `_field` filter among them: a query that drops it
// reads every metric of the device as if it were one. The contract run against a real server is
// test/contract/influxdb-store.test.ts (when INFLUX_URL is set; README "Tests").
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createInfluxDbBackend } from './influxdb-store.js';
import type { RemoteBackend } from './remote.js';

const H = 3_600_000;
const FROM = Date.UTC(2026, 5, 1, 8); // 2026-06-01T08:00:00Z
const TO = FROM + H;

/** InfluxDB's annotated CSV for rows of (_time, _value, _field) */
function csv(rows: Array<[string, number, string]>): string {
  const head = ['#datatype,string,long,dateTime:RFC3339,double,string', '#group,false,false,false,false,true', '#default,_result,,,,', ',result,table,_time,_value,_field'];
  return [...head, ...rows.map(([t, v, f]) => `,,0,${t},${v},${f}`), '', ''].join('\r\n');
}

/** annotated CSV for a `count()` answer (one row per table) */
function countCsv(counts: number[]): string {
  const head = ['#datatype,string,long,long', '#group,false,false,false', '#default,_result,,', ',result,table,_value'];
  return [...head, ...counts.map((n, i) => `,,${i},${n}`), '', ''].join('\r\n');
}

describe('influxdb adapter: read path, golden Flux per query type', () => {
  let server: http.Server;
  let url = '';
  const seen: Array<{ path: string; org: string | null; auth: string | undefined; query: string }> = [];
  let answer = csv([]);
  let be: RemoteBackend;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        seen.push({ path: u.pathname, org: u.searchParams.get('org'), auth: req.headers.authorization, query: (JSON.parse(body) as { query: string }).query });
        res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
        res.end(answer);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    be = createInfluxDbBackend({}, { url, token: 'secret-token', org: 'lookout', bucket: 'telemetry', latestLookbackMs: 400 * 86_400_000 });
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    seen.length = 0;
    answer = csv([]);
  });

  const lastQuery = () => {
    expect(seen).toHaveLength(1);
    expect(seen[0]!.path).toBe('/api/v2/query');
    expect(seen[0]!.org).toBe('lookout');
    expect(seen[0]!.auth).toBe('Token secret-token');
    return seen[0]!.query;
  };

  it('raw history: one metric of one device of one kind in [from, to), keeping time, value and field', async () => {
    answer = csv([
      ['2026-06-01T08:00:00Z', 1.25, 'level'],
      ['2026-06-01T08:00:30.5Z', 1.5, 'level'],
      ['2026-06-01T09:00:00Z', 9, 'level'], // at `to` (exclusive): Flux's stop is exclusive too, but not trusted
    ]);
    const points = await be.query({ deviceId: 'HY-FL-001', kind: 'flood', metric: 'level', from: FROM, to: TO });
    expect(lastQuery()).toBe(`from(bucket: "telemetry")
  |> range(start: 2026-06-01T08:00:00.000Z, stop: 2026-06-01T09:00:00.000Z)
  |> filter(fn: (r) => r._measurement == "flood" and r.device == "HY-FL-001" and r._field == "level")
  |> keep(columns: ["_time", "_value", "_field"])`);
    expect(points).toEqual([
      { ts: FROM, value: 1.25 },
      { ts: FROM + 30_500, value: 1.5 },
    ]);
  });

  it('windowed history asks for the same raw points and windows them here (epoch-aligned, window start)', async () => {
    answer = csv([
      ['2026-06-01T08:00:10Z', 1, 'level'],
      ['2026-06-01T08:00:50Z', 3, 'level'],
      ['2026-06-01T08:01:20Z', 10, 'level'],
    ]);
    const points = await be.query({ deviceId: 'HY-FL-001', kind: 'flood', metric: 'level', from: FROM, to: TO, step: 60_000, agg: 'max' });
    expect(lastQuery()).toBe(`from(bucket: "telemetry")
  |> range(start: 2026-06-01T08:00:00.000Z, stop: 2026-06-01T09:00:00.000Z)
  |> filter(fn: (r) => r._measurement == "flood" and r.device == "HY-FL-001" and r._field == "level")
  |> keep(columns: ["_time", "_value", "_field"])`);
    expect(points).toEqual([
      { ts: FROM, value: 3, min: 1, max: 3 },
      { ts: FROM + 60_000, value: 10, min: 10, max: 10 },
    ]);
  });

  it('latest: every field of the device, last() of each over the look-back; the newest time is the reading time', async () => {
    answer = csv([
      ['2026-06-01T08:10:00Z', 2.5, 'level'],
      ['2026-06-01T08:12:00Z', 0.5, 'rain'],
    ]);
    const latest = await be.latest('HY-FL-001', 'flood');
    expect(lastQuery()).toBe(`from(bucket: "telemetry")
  |> range(start: -34560000s)
  |> filter(fn: (r) => r._measurement == "flood" and r.device == "HY-FL-001")
  |> last()
  |> keep(columns: ["_time", "_value", "_field"])`);
    expect(latest).toEqual({ ts: FROM + 12 * 60_000, values: { level: 2.5, rain: 0.5 } });
  });

  it('latest of a device without points is null', async () => {
    expect(await be.latest('HY-FL-404', 'flood')).toBeNull();
  });

  it('count of one metric filters on _field; the count of every metric does not, and sums the tables', async () => {
    answer = countCsv([7]);
    expect(await be.count('HY-FL-001', 'flood', 'level')).toBe(7);
    expect(lastQuery()).toBe(`from(bucket: "telemetry")
  |> range(start: 1970-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == "flood" and r.device == "HY-FL-001" and r._field == "level")
  |> count()
  |> keep(columns: ["_value"])`);
    seen.length = 0;
    answer = countCsv([7, 7, 5]);
    expect(await be.count('HY-FL-001', 'flood')).toBe(19);
    expect(lastQuery()).toBe(`from(bucket: "telemetry")
  |> range(start: 1970-01-01T00:00:00Z)
  |> filter(fn: (r) => r._measurement == "flood" and r.device == "HY-FL-001")
  |> count()
  |> keep(columns: ["_value"])`);
  });

  it('quotes what comes from outside as Flux strings: a device id or metric cannot end the filter', async () => {
    await be.query({ deviceId: 'X" or r.device != "', kind: 'flood', metric: 'level${1}\\', from: FROM, to: TO });
    expect(lastQuery()).toContain(`|> filter(fn: (r) => r._measurement == "flood" and r.device == "X\\" or r.device != \\"" and r._field == "level\\\${1}\\\\")`);
  });

  it('an empty or reversed range asks nothing', async () => {
    expect(await be.query({ deviceId: 'HY-FL-001', kind: 'flood', metric: 'level', from: TO, to: FROM })).toEqual([]);
    expect(seen).toEqual([]);
  });
});
