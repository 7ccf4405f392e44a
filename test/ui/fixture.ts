// A hub for the console's browser tests (real aedes, fastify, socket.io, SQLite): 300 gas sensors in
// one block of 东城街道 that all read red over MQTT — one incident of 300 devices — plus a red gas
// sensor far away in 宁溪镇 (an incident out of view: edge chips) and a camera. Users: a dispatcher and a viewer.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { publish, startTestHub, type TestHub } from '../helpers/hub.js';
import { eventually } from '../helpers/eventually.js';
import type { Incident } from '../../schemas/index.js';

export const PASSWORD = 'Disp-Pass-2026!';
export const BIG_DEVICES = 300;

export interface UiHub {
  t: TestHub;
  admin: string;
  /** the incident of BIG_DEVICES gas sensors */
  big: Incident;
  /** a red incident 30 km away: out of view when the map shows the big one */
  far: Incident;
}

export async function startUiHub(env: Record<string, string> = {}): Promise<UiHub> {
  const t = await startTestHub({ env });
  const admin = (await t.login()).token;
  for (const [username, role, displayName] of [['disp', 'dispatcher', '李娜'], ['viewer', 'viewer', '访客']] as const) {
    const r = await t.api('POST', '/api/users', { token: admin, body: { username, password: PASSWORD, role, displayName } });
    expect(r.status, r.text).toBe(201);
  }
  // a 20 × 15 grid, 15 m apart: well inside the gas correlation radius (500 m), so one incident
  const ids: string[] = [];
  const tokens = new Map<string, string>();
  for (let k = 0; k < BIG_DEVICES; k++) {
    const id = `G-BLK-${String(k).padStart(3, '0')}`;
    ids.push(id);
    tokens.set(id, await t.addDevice(id, 'gas', { lon: 121.258 + (k % 20) * 0.00015, lat: 28.646 + Math.floor(k / 20) * 0.000135, township: '331003001' }));
  }
  tokens.set('G-NX-09', await t.addDevice('G-NX-09', 'gas', { lon: 120.962, lat: 28.581, township: '331003101' }));
  await t.addDevice('33100300001320000077', 'camera', { lon: 121.26, lat: 28.648, township: '331003001' });
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(ids.slice(i, i + 25).map(async (id) => {
      const c = await t.mqttConnect(id, tokens.get(id)!);
      await publish(c, `lookout/gas/${id}/telemetry`, { ts: Date.now(), values: { pressure: 0.2, methane: 62, flow: 300, valve: 1 } });
      await new Promise<void>((r) => c.end(false, {}, () => r()));
    }));
  }
  const far = await t.mqttConnect('G-NX-09', tokens.get('G-NX-09')!);
  await publish(far, 'lookout/gas/G-NX-09/telemetry', { ts: Date.now(), values: { pressure: 0.2, methane: 62, flow: 300, valve: 1 } });
  const open = () => t.api<Incident[]>('GET', '/api/incidents?status=open', { token: admin }).then((r) => r.body);
  const big = await eventually(async () => (await open()).find((i) => i.category === 'gas' && i.deviceIds.length === BIG_DEVICES), { timeout: 30_000, message: `one gas incident of ${BIG_DEVICES} devices` });
  const far2 = await eventually(async () => (await open()).find((i) => i.deviceIds.includes('G-NX-09')), { timeout: 30_000, message: 'the incident in 宁溪镇' });
  return { t, admin, big, far: far2 };
}

export interface Box { what: string; x: number; y: number; w: number; h: number }

/** Bounding boxes of the visible elements matching `selector` (functions passed to the page run there). */
export function boxes(page: Page, selector: string): Promise<Box[]> {
  return page.$$eval(selector, (els) => els.filter((e) => (e as HTMLElement).checkVisibility?.() !== false).map((e) => {
    const r = e.getBoundingClientRect();
    const id = e.getAttribute('data-testid') ?? e.getAttribute('data-action') ?? e.getAttribute('data-level') ?? '';
    return { what: `${e.tagName.toLowerCase()}.${(e.className && typeof e.className === 'string' ? e.className : '').split(' ').join('.')}${id ? `[${id}]` : ''} "${(e.textContent ?? '').trim().slice(0, 24)}"`, x: r.x, y: r.y, w: r.width, h: r.height };
  }).filter((b) => b.w > 0 && b.h > 0));
}

/** boxes not wholly inside the viewport (no scrolling is allowed to reach them) */
export function outside(list: Box[], vw: number, vh: number): string[] {
  return list.filter((b) => b.x < -0.5 || b.y < -0.5 || b.x + b.w > vw + 0.5 || b.y + b.h > vh + 0.5).map((b) => `${b.what} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.w)}×${Math.round(b.h)}`);
}

/** pairs whose boxes intersect by more than a pixel each way */
export function overlaps(list: Box[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!, b = list[j]!;
      const ox = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const oy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (ox > 1 && oy > 1) out.push(`${a.what} ∩ ${b.what}`);
    }
  }
  return out;
}

/** Controls another element covers (the point at each one's centre belongs to something else). */
export function covered(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (els) => els.filter((e) => (e as HTMLElement).checkVisibility?.() !== false).flatMap((e) => {
    const r = e.getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return top && (top === e || e.contains(top)) ? [] : [`${e.tagName.toLowerCase()} "${(e.textContent ?? '').trim().slice(0, 24)}" under ${top ? `${top.tagName.toLowerCase()}.${String(top.className)}` : 'nothing (off screen)'}`];
  }));
}
