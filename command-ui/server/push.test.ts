import { describe, expect, it } from 'vitest';
import type { Alarm, Incident } from '../../schemas/index.js';
import { forPush } from './push.js';

const alarm = (i: number, state: Alarm['state']): Alarm => ({
  id: `A${i}`, ruleId: 'fault.offline', deviceId: `D${i}`, incidentId: 'I1', level: 'blue', state, metric: null, value: null,
  message: 'offline', raisedAt: i, updatedAt: i, clearedAt: state === 'cleared' ? i : null, drill: false, late: false,
});

describe('forPush', () => {
  const base: Incident = {
    id: 'I1', category: 'device-fault', title: '设备离线', level: 'blue', status: 'open', drill: false, township: null, lon: null, lat: null,
    deviceIds: [], openedAt: 0, updatedAt: 0, acknowledgedAt: null, closedAt: null, assignee: null, alarms: [],
  };
  it('leaves small incidents untouched', () => {
    const i = { ...base, alarms: [alarm(1, 'active')] };
    expect(forPush(i)).toBe(i);
  });
  it('trims a large lane to 200 alarms, active first, and the last 100 timeline entries, with totals', () => {
    const alarms = Array.from({ length: 5000 }, (_, k) => alarm(k, k % 10 === 0 ? 'active' : 'cleared'));
    const timeline = Array.from({ length: 300 }, (_, k) => ({ ts: k, type: 'alarm-raised' as const, user: null, note: null, level: null, alarmId: null, deviceId: null, detail: null }));
    const p = forPush({ ...base, alarms, timeline });
    expect(p.alarms).toHaveLength(200);
    expect(p.alarms.every((a) => a.state === 'active')).toBe(true);
    expect(p.alarmsTotal).toBe(5000);
    expect(p.timeline?.map((e) => e.ts)).toEqual(Array.from({ length: 100 }, (_, k) => 200 + k));
    expect(p.timelineTotal).toBe(300);
  });
});
