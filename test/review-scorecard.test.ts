// The drill scorecard through the real hub on a virtual clock: a run of scenario "gas-leak" with two steps; step 1's
// drill incident is detected 2 min after its planned hazard, acknowledged at 5, dispatched at 10 and its 初报
// submitted at 20 — every figure read back from the audit trail; step 2 is detected late and never acknowledged
// (missed). A second run of the same scenario shows the first beside it. Alarm-system health keeps drills apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVirtualClock } from '../alerting/index.js';
import type { DrillRun, HealthReport, Incident, Report, Scorecard } from '../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';

const YQ = '331003107';
const NX = '331003101';
const MIN = 60_000;

describe('drill scorecard from the audit trail', () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let t: TestHub;
  let disp = '';
  let viewer = '';
  let run1: DrillRun;
  let step1: Incident;
  const api = <T>(token: string, method: string, url: string, body?: unknown) => t.api<T>(method, url, { token, ...(body !== undefined ? { body } : {}) });
  const relogin = async () => {
    disp = (await t.login('disp', 'Dispatch-Pass-2026!')).token;
    viewer = (await t.login('viewer', 'Viewer-Pass-2026!')).token;
  };
  const steps = [
    { id: 's1', title: '院桥镇 燃气泄漏', atMin: 0, category: 'gas', township: YQ },
    { id: 's2', title: '宁溪镇 燃气泄漏', atMin: 10, category: 'gas', township: NX },
  ];

  async function drillGas(id: string, township: string, lon: number): Promise<Incident> {
    const token = await t.addDevice(id, 'gas', { lon, lat: 28.56, township, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect(id, token);
    await publish(c, `lookout/gas/${id}/telemetry`, { ts: clock.now(), values: { methane: 60, pressure: 0.2 }, drill: true });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes(id)), 10_000, `incident of ${id}`);
    c.end(true);
    return inc;
  }

  beforeAll(async () => {
    t = await startTestHub({ clock });
    const admin = (await t.login()).token;
    for (const [username, password, role] of [['disp', 'Dispatch-Pass-2026!', 'dispatcher'], ['viewer', 'Viewer-Pass-2026!', 'viewer']]) {
      expect((await t.api('POST', '/api/users', { token: admin, body: { username, password, role } })).status).toBe(201);
    }
    await relogin();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('scores each step: detection, acknowledgement, dispatch and report times; the missed step', async () => {
    expect((await api(viewer, 'POST', '/api/reports/drills', { scenario: 'gas-leak', steps })).status).toBe(403);
    const started = await api<DrillRun>(disp, 'POST', '/api/reports/drills', { scenario: 'gas-leak', steps });
    expect(started.status, started.text).toBe(201);
    run1 = started.body;
    const t0 = clock.now();
    clock.advance(2 * MIN);
    step1 = await drillGas('GAS-YQ-D1', YQ, 121.26);
    expect(step1.openedAt - t0).toBe(2 * MIN);
    clock.advance(3 * MIN);
    expect((await api(disp, 'POST', `/api/incidents/${step1.id}/ack`, { note: '收到' })).status).toBe(200);
    clock.advance(5 * MIN);
    expect((await api(disp, 'POST', `/api/incidents/${step1.id}/dispatch`, { note: '抢修队出发', assignee: '抢修一队' })).status).toBe(200);
    clock.advance(10 * MIN);
    await relogin();
    const initial = await eventually(async () => (await api<Report[]>(disp, 'GET', `/api/reports?incident=${step1.id}`)).body.find((r) => r.kind === 'initial'), 10_000, 'the 初报');
    expect((await api(disp, 'POST', `/api/reports/${initial.id}/submit`, {})).status).toBe(200);
    clock.advance(1 * MIN);
    const step2 = await drillGas('GAS-NX-D1', NX, 121.1); // planned at 10 min, detected at 21
    clock.advance(4 * MIN);
    expect((await api(disp, 'POST', `/api/reports/drills/${run1.id}/end`)).status).toBe(200);

    const card = await api<Scorecard>(viewer, 'GET', `/api/reports/drills/${run1.id}/scorecard`);
    expect(card.status, card.text).toBe(200);
    expect(card.body.steps).toEqual([
      {
        stepId: 's1', title: '院桥镇 燃气泄漏', hazardAt: t0, incidentId: step1.id, ms: { detect: 2 * MIN, ack: 5 * MIN, dispatch: 10 * MIN, report: 20 * MIN },
        by: { ack: 'disp', dispatch: 'disp', report: 'disp' }, withinTarget: { detect: true, ack: true, dispatch: true, report: true }, missed: [],
      },
      {
        stepId: 's2', title: '宁溪镇 燃气泄漏', hazardAt: t0 + 10 * MIN, incidentId: step2.id, ms: { detect: 11 * MIN, ack: null, dispatch: null, report: null },
        by: {}, withinTarget: { detect: false, ack: null, dispatch: null, report: null }, missed: ['ack', 'dispatch', 'report'],
      },
    ]);
    expect(card.body).toMatchObject({ missedSteps: 1, asOf: t0 + 25 * MIN, earlier: [] });
    // the run's start and end are in the trail too
    expect((await t.hub.audit.list({ limit: 100 })).filter((e) => e.target === run1.id).map((e) => e.action)).toEqual(['drill-run-end', 'drill-run-start']);
  });

  it('a later run of the same scenario shows the earlier one beside it', async () => {
    clock.advance(10 * MIN);
    await relogin();
    const run2 = (await api<DrillRun>(disp, 'POST', '/api/reports/drills', { scenario: 'gas-leak', steps })).body;
    const card = await api<Scorecard>(viewer, 'GET', `/api/reports/drills/${run2.id}/scorecard`);
    expect(card.body.earlier).toEqual([
      { runId: run1.id, startedAt: run1.startedAt, steps: [{ stepId: 's1', ms: { detect: 2 * MIN, ack: 5 * MIN, dispatch: 10 * MIN, report: 20 * MIN } }, { stepId: 's2', ms: { detect: 11 * MIN, ack: null, dispatch: null, report: null } }] },
    ]);
    // nothing happened in the new run yet: both steps missed so far
    expect(card.body.missedSteps).toBe(2);
    expect((await api<DrillRun[]>(viewer, 'GET', '/api/reports/drills?scenario=gas-leak')).body.map((r) => r.id)).toEqual([run2.id, run1.id]);
  });

  it('alarm-system health counts the drill alarms apart from real operations, labelled', async () => {
    const h = await api<HealthReport>(viewer, 'GET', `/api/reports/health?since=${run1.startedAt - 10 * MIN}`);
    expect(h.status, h.text).toBe(200);
    // the drill's methane alarms count as drill, never as real operations
    expect(h.body.drill).toMatchObject({ population: 'drill', byCategory: { gas: 2 } });
    expect(h.body.drill.standing).toBeGreaterThanOrEqual(2);
    expect(h.body.real.population).toBe('real');
    expect(h.body.real.byCategory.gas ?? 0).toBe(0);
    expect(h.body.drill.topNoisy.map((d) => d.deviceId).sort()).toEqual(['GAS-NX-D1', 'GAS-YQ-D1']);
    expect(h.body.drill.peakPer10Min).toBe(Math.max(...h.body.drill.alarmsPer10Min.map((b) => b.count)));
    expect(h.body.drill.peakPer10Min).toBeGreaterThanOrEqual(1);
    expect(h.body.weekly.length).toBeGreaterThanOrEqual(1);
  });
});
