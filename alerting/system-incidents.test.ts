// Store health events → self-closing `system` incidents, through the stage's door (alerting.storeEvent).
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '../schemas/model.js';
import { createVirtualClock, type VirtualClock } from './virtual-clock.js';
import { createAlerting, type Alerting } from './index.js';
import { deviceRegistry } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

let db: Database.Database;
let clock: VirtualClock;
let a: Alerting;
let pushed: { opened: Incident[]; updated: Incident[] };

beforeEach(() => {
  db = new Database(':memory:');
  clock = createVirtualClock(T0);
  a = createAlerting({ db, clock, logger: pino({ level: 'silent' }), devices: deviceRegistry() }, { packs: [] });
  pushed = { opened: [], updated: [] };
  a.on('incident:opened', (i) => pushed.opened.push(i));
  a.on('incident:updated', (i) => pushed.updated.push(i));
});

afterEach(() => {
  a.close();
  db.close();
});

const systemOpen = () => a.incidents.list({ status: 'open', category: 'system' });

describe('system incidents from store health events', () => {
  it('a full data disk opens one red incident that says what to do, and closes when the disk is writable again', () => {
    const fault = { type: 'disk-fault', store: 'sqlite', fault: 'disk-full', dir: '/var/lib/lookout', since: T0, reason: 'SQLITE_FULL', fix: 'free space in /var/lib/lookout' } as const;
    a.storeEvent(fault);
    a.storeEvent(fault); // announced again (e.g. after a restart of the writer): still one incident
    const [inc, ...rest] = systemOpen();
    expect(rest).toHaveLength(0);
    expect(inc).toMatchObject({ level: 'red', title: '数据盘已满，读数暂停入库 · data disk full', drill: false });
    expect(pushed.opened.map((i) => i.id)).toEqual([inc!.id]);
    expect(a.incidents.get(inc!.id)!.timeline!.some((e) => e.detail?.includes('Fix: free space in /var/lib/lookout'))).toBe(true);

    clock.advance(90_000);
    a.storeEvent({ type: 'disk-ok', store: 'sqlite', fault: 'disk-full', dir: '/var/lib/lookout', since: T0, downForMs: 90_000 });
    expect(systemOpen()).toHaveLength(0);
    const closed = a.incidents.get(inc!.id)!;
    expect(closed.status).toBe('closed');
    expect(closed.timeline!.at(-1)!.detail).toBe('/var/lib/lookout 在 90 秒后恢复可写，已恢复接收 · /var/lib/lookout writable again after 90 s; ingestion resumed');
    expect(pushed.updated.at(-1)!.status).toBe('closed');
  });

  it('store down and spool high are separate incidents per store, each closed by its own recovery', () => {
    a.storeEvent({ type: 'store-down', store: 'victoriametrics', since: T0, reason: 'ECONNREFUSED' });
    a.storeEvent({ type: 'spool-high', store: 'victoriametrics', state: { fill: 0.82, bytes: 8_200_000 } });
    expect(systemOpen().map((i) => [i.title, i.level]).sort()).toEqual([
      ['时序库不可达 · victoriametrics', 'orange'],
      ['缓存队列超过 80% · victoriametrics', 'yellow'],
    ]);
    a.storeEvent({ type: 'spool-normal', store: 'victoriametrics', state: { fill: 0.7, bytes: 7_000_000 } });
    expect(systemOpen().map((i) => i.title)).toEqual(['时序库不可达 · victoriametrics']);
    a.storeEvent({ type: 'store-up', store: 'victoriametrics', since: T0, downForMs: 61_000 });
    expect(systemOpen()).toHaveLength(0);
  });

  it('events after close are ignored, not thrown back at the store', () => {
    a.close();
    expect(() => a.storeEvent({ type: 'store-down', store: 'influxdb', since: T0, reason: 'timeout' })).not.toThrow();
    expect(systemOpen()).toHaveLength(0);
  });
});
