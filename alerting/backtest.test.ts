import { describe, expect, it } from 'vitest';
import type { Reading } from '../schemas/model.js';
import { backtest } from './backtest.js';
import { device, deviceRegistry, event, reading } from './test-support.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);
const MIN = 60_000;

describe('backtest', () => {
  it('replays history through the rules and reports what would have fired', async () => {
    const devices = deviceRegistry([device('g1', 'gas'), device('rg1', 'flood'), device('cam1', 'camera')]);
    const history: Reading[] = [];
    for (let k = 0; k < 60; k++) history.push(reading('g1', 'gas', T0 + k * MIN, { methane: k >= 20 && k < 25 ? 30 : 1 }));
    for (let k = 0; k < 12; k++) history.push(reading('rg1', 'flood', T0 + k * 15 * MIN, { rain: 6 }));
    async function* stream() {
      // out of order across devices, as two per-device queries concatenated
      for (const r of history) yield r;
    }
    const r = await backtest({ readings: stream(), events: [event('cam1', T0 + 5 * MIN, 'smoke', { confidence: 0.9 })], devices, from: T0, to: T0 + 3 * 3_600_000 });
    expect(r.readings).toBe(72);
    expect(r.byRule['gas.methane']!.raised).toBe(1);
    expect(r.byRule['gas.methane']!.byLevel.orange).toBe(1);
    expect(r.byRule['rainstorm.signal']!.byLevel.orange).toBe(1); // 72 mm in 3 h
    expect(r.byRule['camera.smoke']!.raised).toBe(1);
    const smoke = r.alarms.find((a) => a.ruleId === 'camera.smoke')!;
    expect(smoke.state).toBe('cleared'); // auto-clear fired as the replay clock moved on
    expect(r.alarms.find((a) => a.ruleId === 'gas.methane')!.state).toBe('cleared');
    expect(r.report).toContain('gas.methane');
    expect(r.byRule['fault.silent']).toBeUndefined();
  });
});
