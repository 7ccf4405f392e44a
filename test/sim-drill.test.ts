// Issue #6 "Done when": drills from the simulator run through the real hub (aedes, ingest, SQLite, alerting)
// and open drill incidents whose levels rise in the expected order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, Level, TimelineEntry } from '../schemas/index.js';
import { createSimulator, generateFleet, type Fleet, type Simulator } from '../device-sim/index.js';
import { eventually, startTestHub, type TestHub } from './helpers/hub.js';

/** Levels an alarm went through, in order, from its incident's timeline. */
function alarmLevels(incident: Incident, alarmId: string): Level[] {
  const steps = (incident.timeline ?? []).filter((e: TimelineEntry) => e.alarmId === alarmId && (e.type === 'alarm-raised' || e.type === 'alarm-escalated'));
  return steps.map((e) => e.level!).filter((l, k, a) => k === 0 || a[k - 1] !== l);
}

describe('simulated drills against the real hub', () => {
  let t: TestHub;
  let fleet: Fleet;
  let sim: Simulator | null = null;

  beforeAll(async () => {
    t = await startTestHub();
    fleet = generateFleet({ size: 300, seed: 'drill-test' });
    const r = await t.hub.registry.importMany(fleet.devices.map(({ sim: _hints, ...d }) => d));
    expect(r.created).toBe(300);
  });
  afterAll(async () => {
    await sim?.stop();
    await t?.close();
  });

  /** the incident holding rule `ruleId`'s alarm for `deviceId` once that alarm reaches `level` */
  async function incidentFor(category: string, ruleId: string, deviceId: string, level: Level, ms: number): Promise<Incident> {
    return eventually(
      () => {
        const hit = t.hub.alerting.incidents.list({ status: 'all' }).find((i) => i.category === category && i.alarms.some((a) => a.ruleId === ruleId && a.deviceId === deviceId && a.level === level));
        return hit ? t.hub.alerting.incidents.get(hit.id) : null;
      },
      { timeout: ms, message: `${category} incident at ${level} for ${deviceId}` },
    );
  }

  it('gas-leak: the leak sensor’s methane alarm goes blue → yellow → orange → red in one drill incident', async () => {
    sim = createSimulator({ fleet, url: `mqtt://127.0.0.1:${t.mqttPort}`, scenario: 'gas-leak', speed: 120, backgroundSpeed: 1 });
    await sim.start();
    const leak = fleet.devices.find((d) => d.sim.tags.includes('gas-leak-1'))!;
    const inc = await incidentFor('gas', 'gas.methane', leak.id, 'red', 55_000);
    expect(inc.drill).toBe(true);
    expect(inc.level).toBe('red');
    const methane = inc.alarms.find((a) => a.ruleId === 'gas.methane' && a.deviceId === leak.id)!;
    expect(methane.drill).toBe(true);
    expect(alarmLevels(inc, methane.id)).toEqual(['blue', 'yellow', 'orange', 'red']);
    // the neighbours joined the same incident (correlated, not one incident per sensor)
    expect(inc.deviceIds.length).toBeGreaterThanOrEqual(2);
    await sim.stop();
    sim = null;
  }, 90_000);

  it('compressed typhoon-rainstorm: the city reach goes blue → yellow → orange, Ningxi’s torrent rises, rainstorm warnings open; all drill', async () => {
    sim = createSimulator({ fleet, url: `mqtt://127.0.0.1:${t.mqttPort}`, scenario: 'typhoon-rainstorm', speed: 600, backgroundSpeed: 1 });
    await sim.start();
    const [city] = sim.scenarios[0]!.resolve({ kinds: ['flood'], tags: ['city-reach'], profiles: ['river'] });
    const cityId = fleet.devices[city!]!.id;
        // flood.level is the water-level signal (warning/guaranteed levels). Rate rules (flood.rise-rate) see
    // compressed time under a speed factor and may run ahead; see docs/simulator.md.
    const inc = await incidentFor('flood', 'flood.level', cityId, 'orange', 80_000);
    const level = inc.alarms.find((a) => a.ruleId === 'flood.level' && a.deviceId === cityId)!;
    expect(alarmLevels(inc, level.id)).toEqual(['blue', 'yellow', 'orange']);
    expect(inc.drill).toBe(true);
    const ningxi = fleet.devices.find((d) => d.kind === 'flood' && d.sim.tags.includes('ningxi') && d.sim.tags.includes('torrent'))!;
    await incidentFor('flood', 'flood.level', ningxi.id, 'orange', 20_000);
    await eventually(() => t.hub.alerting.incidents.list({ status: 'all', category: 'rainstorm' }).length > 0 || null, { timeout: 20_000, message: 'rainstorm incident' });
    // every incident the simulated fleet raised (this scenario's flood and rainstorm among them) is a drill;
    // device faults and system incidents are the hub's own and may be real
    const scenario = t.hub.alerting.incidents.list({ status: 'all' }).filter((i) => i.category !== 'device-fault' && i.category !== 'system');
    expect([...new Set(scenario.map((i) => i.category))]).toEqual(expect.arrayContaining(['flood', 'rainstorm']));
    expect(scenario.filter((i) => !i.drill).map((i) => `${i.category} ${i.id}`)).toEqual([]);
  }, 120_000);
});
