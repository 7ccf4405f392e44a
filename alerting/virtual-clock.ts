// A virtual clock for tests: time moves only when the test says so, and due timers fire in time order.
import type { Clock, TimerHandle } from '../schemas/clock.js';

interface Timer {
  id: number;
  due: number;
  every: number; // 0 = one-shot
  fn: () => void;
}

export interface VirtualClock extends Clock {
  /** move time forward by ms, firing every timer that falls due on the way (in order) */
  advance(ms: number): void;
  /** move time to an absolute epoch ms (never backwards) */
  advanceTo(ts: number): void;
  /** number of pending timers */
  pending(): number;
}

export function createVirtualClock(start = Date.UTC(2026, 6, 1, 0, 0, 0)): VirtualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Timer>();

  function add(fn: () => void, ms: number, every: number): TimerHandle {
    const id = nextId++;
    timers.set(id, { id, due: now + Math.max(0, ms), every, fn });
    return id as unknown as TimerHandle;
  }
  function remove(h: TimerHandle): void {
    timers.delete(h as unknown as number);
  }
  function advanceTo(target: number): void {
    if (target < now) return;
    for (;;) {
      let first: Timer | undefined;
      for (const t of timers.values()) if (t.due <= target && (!first || t.due < first.due || (t.due === first.due && t.id < first.id))) first = t;
      if (!first) break;
      now = Math.max(now, first.due);
      if (first.every > 0) first.due += first.every;
      else timers.delete(first.id);
      first.fn();
    }
    now = target;
  }
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(fn, ms, 0),
    clearTimeout: remove,
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    clearInterval: remove,
    advance: (ms) => advanceTo(now + ms),
    advanceTo,
    pending: () => timers.size,
  };
}
