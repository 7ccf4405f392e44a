// The report's pieces that are plain functions of what the hub recorded: which metric a chart of an alarm shows, the
// resources used (from the trail's resource rows and the timeline line of a release the hub made itself), the
// chart's window and step, and the replay's readings and its event window as a township user sees it.
import { describe, expect, it } from 'vitest';
import type { Alarm, HazardEvent, HistoryRequest, Incident, TimelineEntry } from '../schemas/index.js';
import { chartMetric, resourcesUsed, sensorSeries } from './incident-report.js';
import { replayReadings, replayScope } from './replay.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;
const entry = (ts: number, type: TimelineEntry['type'], detail: string | null = null, user: string | null = null): TimelineEntry => ({ ts, type, user, note: null, level: null, alarmId: null, deviceId: null, detail });
const alarm = (deviceId: string, level: Alarm['level'], metric: string, raisedAt: number): Alarm => ({
  id: `${deviceId}-${raisedAt}`, ruleId: 'r', deviceId, incidentId: 'INC-1', level, state: 'active', metric, value: 1, message: '', raisedAt, updatedAt: raisedAt, clearedAt: null, drill: false, late: false,
});
function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-1', category: 'gas', title: '燃气', level: 'red', status: 'open', drill: false, township: '331003107', lon: 121.26, lat: 28.56,
    deviceIds: ['G1', 'G2'], alarms: [alarm('G1', 'yellow', 'methane', T0), alarm('G2', 'red', 'methane', T0 + MIN)], openedAt: T0, updatedAt: T0, closedAt: null,
    acknowledgedAt: null, timeline: [entry(T0, 'opened')], ...over,
  } as Incident;
}

describe('incident report pieces', () => {
  it('charts the alarm metric, or the raw reading a derived quantity is built from', () => {
    expect(chartMetric('gas', 'methane')).toBe('methane');
    expect(chartMetric('flood', 'rain.sum(3h)')).toBe('rain');
    expect(chartMetric('gas', 'nonsense')).toBeNull();
    expect(chartMetric('gas', 'constructor')).toBeNull();
    expect(chartMetric('gas', null)).toBeNull();
  });

  it('resources: dispatch and release rows of this incident; a release by the hub from the timeline; other incidents left out', () => {
    const i = incident({
      timeline: [
        entry(T0, 'opened'),
        entry(T0 + 2 * MIN, 'note', '调派 dispatched 队伍 院桥 抢修一队 (TEAM-1, 1.2 km, ~3 min) by disp'),
        entry(T0 + 3 * MIN, 'note', '调派 dispatched 车辆 皮卡 (CAR-1) by disp'),
        entry(T0 + 9 * MIN, 'note', '释放 released 车辆 皮卡 (CAR-1): incident resolved'),
      ],
    });
    const rows = [
      { ts: T0 + 2 * MIN, user: 'disp', action: 'resource-dispatch', target: 'TEAM-1', detail: 'incident INC-1' },
      { ts: T0 + 3 * MIN, user: 'disp', action: 'resource-dispatch', target: 'CAR-1', detail: 'incident INC-1' },
      { ts: T0 + 4 * MIN, user: 'disp', action: 'resource-dispatch', target: 'TEAM-9', detail: 'incident INC-2' },
      { ts: T0 + 5 * MIN, user: 'lead', action: 'resource-release', target: 'TEAM-1', detail: 'incident INC-1' },
    ];
    expect(resourcesUsed(i, [...rows].reverse())).toEqual([
      { resourceId: 'TEAM-1', name: '队伍 院桥 抢修一队', dispatchedAt: T0 + 2 * MIN, dispatchedBy: 'disp', releasedAt: T0 + 5 * MIN, releasedBy: 'lead' },
      { resourceId: 'CAR-1', name: '车辆 皮卡', dispatchedAt: T0 + 3 * MIN, dispatchedBy: 'disp', releasedAt: T0 + 9 * MIN, releasedBy: null },
    ]);
  });

  it('series: the highest level first, 30 min either side, raw up to 3 h and means per step beyond', async () => {
    const asked: HistoryRequest[] = [];
    const src = { now: () => T0 + 60 * MIN, kindOf: () => 'gas' as const, history: async (q: HistoryRequest) => (asked.push(q), [{ ts: q.from, value: 1 }]) };
    const s = await sensorSeries(incident(), src);
    expect(s.map((x) => x.deviceId)).toEqual(['G2', 'G1']);
    expect(s[0]).toMatchObject({ from: T0 - 30 * MIN, to: T0 + 60 * MIN, step: null, unit: expect.any(String), alarms: [{ ts: T0 + MIN, level: 'red' }] });
    expect(asked[0]).not.toHaveProperty('step');
    const long = await sensorSeries(incident({ closedAt: T0 + 10 * 60 * MIN }), { ...src, now: () => T0 + 24 * 60 * MIN });
    expect(long[0]!.to - long[0]!.from).toBe(11 * 60 * MIN);
    expect(long[0]!.step).toBe(2 * MIN); // 11 h / 600 points, rounded up to whole minutes
    expect(asked.at(-1)).toMatchObject({ agg: 'mean', step: 2 * MIN });
  });

  it('replay: readings as frames; an event replays only the incidents a township user may see, from their first change', async () => {
    const frames = await replayReadings([incident()], { kindOf: () => 'gas', history: async (q) => [{ ts: q.from + 1, value: q.deviceId === 'G1' ? 12 : 60 }] }, T0, T0 + 10 * MIN);
    expect(frames).toEqual([
      { ts: T0 + 1, type: 'reading', deviceId: 'G2', metric: 'methane', value: 60 },
      { ts: T0 + 1, type: 'reading', deviceId: 'G1', metric: 'methane', value: 12 },
    ]);
    const mine = incident();
    const other = incident({ id: 'INC-2', township: '331003101', openedAt: T0 - 30 * MIN, timeline: [entry(T0 - 30 * MIN, 'opened')] });
    const ev = { id: 'EVT-1', incidentIds: ['INC-1', 'INC-2'], openedAt: T0 + 5 * MIN, closedAt: T0 + 20 * MIN } as HazardEvent;
    const deps = { get: (id: string) => [mine, other].find((i) => i.id === id), list: () => [mine, other], event: (id: string) => (id === ev.id ? ev : undefined), now: T0 + 60 * MIN };
    const yq = replayScope({ event: 'EVT-1' }, deps, { scope: ['331003107'] });
    expect(yq).toEqual({ incidents: [mine], from: T0 - 1000, to: T0 + 60 * MIN });
    expect(replayScope({ event: 'EVT-1' }, deps, { scope: null }).from).toBe(T0 - 30 * MIN - 1000);
    expect(() => replayScope({ event: 'EVT-1' }, deps, { scope: ['331003999'] })).toThrow(/LOOKOUT_ERR_NOT_FOUND|event EVT-1/);
  });
});
