// GET /api/devices/:id/derived-series: the drawer's chart of a rain-sum alarm plots the rule's 3-hour sum (from
// the stored per-reading rain, over MQTT), with the rule's level lines; viewers may read it, strangers not.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';

const MIN = 60_000;
let t: TestHub;
let token = '';

beforeAll(async () => {
  t = await startTestHub();
  token = (await t.login()).token;
});
afterAll(async () => {
  await t?.close();
});

interface Answer { metric: string; base: string; unit: string; levels: { level: string; value: number }[]; points: { ts: number; value: number }[] }

it('a rain gauge reading 1.5 mm a minute: the 3 h sum with the orange (50 mm) and red (100 mm) lines', async () => {
  const c = await t.mqttConnect('RG-DS-1', await t.addDevice('RG-DS-1', 'flood', { lon: 121.2, lat: 28.6 }));
  const now = Date.now();
  const t0 = Math.floor(now / MIN) * MIN - 40 * MIN;
  // 40 readings, one a minute, sent as one batch each minute would have been
  for (let k = 0; k < 40; k++) await publish(c, 'lookout/flood/RG-DS-1/telemetry', { ts: t0 + k * MIN, values: { rain: 1.5, level: 1 } });
  c.end(true);
  const url = `/api/devices/RG-DS-1/derived-series?rule=rainstorm.signal&metric=${encodeURIComponent('rain.sum(3h)')}&from=${t0}&to=${t0 + 45 * MIN}`;
  const r = await eventually(async () => {
    const x = await t.api<Answer>('GET', url, { token });
    return x.status === 200 && x.body.points.at(-1)?.value === 60 ? x : null;
  }, { timeout: 15_000, message: 'the 3 h sum reaches 40 × 1.5 mm' });
  expect(r.body).toMatchObject({ metric: 'rain.sum(3h)', base: 'rain', unit: 'mm' });
  expect(r.body.levels.map((l) => [l.level, l.value])).toEqual([['red', 100], ['orange', 50]]);
  // the sum grows with each reading: never the 1.5 mm of one reading once several are in
  const values = r.body.points.map((p) => p.value);
  expect(values).toEqual([...values].sort((a, b) => a - b));
  expect(Math.max(...values)).toBe(60);

  expect((await t.api('GET', url)).status).toBe(401);
  expect((await t.api('GET', '/api/devices/RG-DS-1/derived-series?rule=no.such.rule', { token })).status).toBe(404);
});
