// How compiled conditions combine (alerting/conditions/types.ts): a rule keeps, per metric, the longest rolling
// window any of its conditions needs (so one series serves them all), reads every metric any of them reads, and
// keeps per-device state when any of them does.
import { describe, expect, it } from 'vitest';
import { mergeInto, needWindow, type Compiled } from './types.js';

const HOUR = 3_600_000;

const compiled = (metrics: string[], windows: [string, number][], stateful: boolean): Compiled => ({
  fn: () => false,
  metrics: new Set(metrics),
  windows: new Map(windows),
  stateful,
});

describe('windows and merged conditions', () => {
  it('a window is the longest asked for: a new metric gets its own, a longer one replaces, a shorter one does not', () => {
    const w = new Map<string, number>();
    needWindow(w, 'rain', 3 * HOUR);
    expect([...w]).toEqual([['rain', 3 * HOUR]]);
    needWindow(w, 'rain', HOUR);
    expect([...w]).toEqual([['rain', 3 * HOUR]]);
    needWindow(w, 'rain', 24 * HOUR);
    needWindow(w, 'level', 1);
    expect([...w]).toEqual([['rain', 24 * HOUR], ['level', 1]]);
  });

  it('merging: the union of the metrics, the longest window per metric, stateful when either side is', () => {
    const target = compiled(['rain'], [['rain', 3 * HOUR]], false);
    mergeInto(target, compiled(['rain', 'level'], [['rain', HOUR], ['level', 2 * HOUR]], false));
    expect([...target.metrics].sort()).toEqual(['level', 'rain']);
    expect([...target.windows]).toEqual([['rain', 3 * HOUR], ['level', 2 * HOUR]]);
    expect(target.stateful).toBe(false);
    mergeInto(target, compiled(['rain'], [['rain', 24 * HOUR]], true));
    expect([...target.windows]).toEqual([['rain', 24 * HOUR], ['level', 2 * HOUR]]);
    expect(target.stateful).toBe(true);
    // a stateless one afterwards does not make it stateless again
    mergeInto(target, compiled([], [], false));
    expect(target.stateful).toBe(true);
  });
});
