// The InfluxDB adapter's write path over real HTTP: `@influxdata/influxdb-client` must neither retry nor
// buffer on its own (the spool owns durability), and every answer must be classified right. A local
// HTTP server plays the failing database; VictoriaMetrics (which speaks /api/v2/write) the healthy one.
// The full contract against a real InfluxDB runs in test/contract/influxdb-store.test.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../../schemas/index.js';
import { startVictoriaMetrics, victoriaMetricsSkipReason } from '../../test/contract/helpers/victoriametrics-server.js';
import { createInfluxDbBackend, fluxString, fluxTime } from './influxdb-store.js';
import { toRemoteError } from './remote.js';

const reading: Reading = { deviceId: 'HY-FL-001', kind: 'flood', ts: Date.now() - 60_000, receivedAt: Date.now(), values: { level: 2.5, rain: 0.5 }, drill: false };

describe('influxdb adapter: write path', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      s.close();
    }
  });

  /** a server answering every write with `status`; records what it received */
  async function database(status: number | 'hang') {
    const seen: Array<{ url: string; body: string; auth: string | undefined }> = [];
    const srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body, auth: req.headers.authorization });
        if (status === 'hang') return;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 204 ? undefined : JSON.stringify({ code: 'invalid', message: `answer ${status}` }));
      });
    });
    servers.push(srv);
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
    return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, seen };
  }

  async function sendTo(url: string, signal = AbortSignal.timeout(10_000)) {
    const be = createInfluxDbBackend({ townshipOf: () => '331003001' }, { url, token: 'secret-token', org: 'lookout', bucket: 'telemetry' });
    try {
      await be.send([reading], signal);
      return null;
    } catch (err) {
      return toRemoteError(err);
    }
  }

  it('writes line protocol to /api/v2/write with org, bucket, ms precision and the token, once', async () => {
    const db = await database(204);
    expect(await sendTo(db.url)).toBeNull();
    expect(db.seen).toHaveLength(1);
    const url = new URL(db.seen[0]!.url, db.url);
    expect(url.pathname).toBe('/api/v2/write');
    expect(url.searchParams.get('org')).toBe('lookout');
    expect(url.searchParams.get('bucket')).toBe('telemetry');
    expect(url.searchParams.get('precision')).toBe('ms');
    expect(db.seen[0]!.auth).toBe('Token secret-token');
    expect(db.seen[0]!.body.trim()).toBe(`flood,device=HY-FL-001,township=331003001 level=2.5,rain=0.5 ${reading.ts}`);
  });

  for (const [status, retryable] of [
    [503, true],
    [500, true],
    [429, true],
    [401, true],
    [404, true],
    [400, false],
    [422, false],
  ] as const) {
    it(`classifies HTTP ${status} as ${retryable ? 'retryable (spool)' : 'a rejection (dead-letter)'} without retrying inside the client`, async () => {
      const db = await database(status);
      const err = await sendTo(db.url);
      expect(err?.retryable).toBe(retryable);
      expect(err?.status).toBe(status);
      expect(err?.message).toContain(`answer ${status}`);
      expect(db.seen).toHaveLength(1);
    });
  }

  it('classifies a refused connection as retryable', async () => {
    const err = await sendTo('http://127.0.0.1:9');
    expect(err?.retryable).toBe(true);
    expect(err?.message).toMatch(/ECONNREFUSED/);
  });

  it('gives up on a hanging database when the signal aborts (timeout / close)', async () => {
    const db = await database('hang');
    const err = await sendTo(db.url, AbortSignal.timeout(300));
    expect(err?.retryable).toBe(true);
    expect(err?.message).toMatch(/timeout|abort/i);
  });

  it('escapes Flux strings and writes RFC 3339 times', () => {
    expect(fluxString('a"b\\c${x}')).toBe('"a\\"b\\\\c\\${x}"');
    expect(fluxTime(1_795_647_601_000)).toBe('2026-11-25T23:00:01.000Z');
  });
});

const vmSkip = victoriaMetricsSkipReason();
describe.skipIf(vmSkip !== null)(`influxdb adapter against a server speaking /api/v2/write (VictoriaMetrics)${vmSkip ? ` — skipped: ${vmSkip}` : ''}`, () => {
  it('is accepted by a real line-protocol server', async () => {
    const vm = await startVictoriaMetrics();
    try {
      const be = createInfluxDbBackend({}, { url: vm.url, token: 't', org: 'o', bucket: 'b' });
      await be.send([reading], AbortSignal.timeout(10_000));
      await fetch(`${vm.url}/internal/force_flush`);
      const text = await (await fetch(`${vm.url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__=~"flood_.+"}' })}`)).text();
      const series = text.trim().split('\n').map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] });
      expect(series.map((s) => [s.metric.__name__, s.metric.device, s.values[0], s.timestamps[0]]).sort()).toEqual([
        ['flood_level', 'HY-FL-001', 2.5, reading.ts],
        ['flood_rain', 'HY-FL-001', 0.5, reading.ts],
      ]);
    } finally {
      await vm.cleanup();
    }
  }, 60_000);
});
