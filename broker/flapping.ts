// Flapping detection (security-test-plan T20; EMQX flapping_detect): a client id that completes more than
// `maxConnects` authenticated connects within `windowMs` is in a reconnect loop — a crash-looping device,
// or two devices configured with one id taking the session from each other — and is banned for `banMs`:
// its CONNECTs are refused with CONNACK 3 before the token check, so it is slowed down and cannot starve
// other devices (each connect means presence churn for every console and the alerting stage).
//
// Only authenticated connects count, so nobody without the device's token can get it banned. Entries
// exist only for ids that authenticated (bounded by the device registry) and are swept once idle.
import type { Clock } from '../schemas/index.js';

export interface FlappingOptions {
  maxConnects: number;
  windowMs: number;
  banMs: number;
}

export interface FlappingDetector {
  /** epoch ms until which this client id is banned; 0 when it is not */
  bannedUntil(id: string): number;
  /** records an authenticated connect; `banned` when this one was one too many (the ban starts now) */
  connected(id: string): { banned: boolean; connects: number; until: number };
  close(): void;
}

interface Entry {
  /** connect times within the window, oldest first (at most maxConnects + 1) */
  times: number[];
  bannedUntil: number;
}

export function createFlappingDetector(clock: Clock, opts: FlappingOptions): FlappingDetector {
  const entries = new Map<string, Entry>();
  const sweep = clock.setInterval(() => {
    const now = clock.now();
    for (const [id, e] of entries) if (e.bannedUntil <= now && (e.times.length === 0 || now - e.times.at(-1)! >= opts.windowMs)) entries.delete(id);
  }, opts.windowMs);
  return {
    bannedUntil(id) {
      const until = entries.get(id)?.bannedUntil ?? 0;
      return until > clock.now() ? until : 0;
    },
    connected(id) {
      const now = clock.now();
      let e = entries.get(id);
      if (!e) entries.set(id, (e = { times: [], bannedUntil: 0 }));
      while (e.times.length && now - e.times[0]! >= opts.windowMs) e.times.shift();
      e.times.push(now);
      const connects = e.times.length;
      if (connects <= opts.maxConnects) return { banned: false, connects, until: 0 };
      e.times = [];
      e.bannedUntil = now + opts.banMs;
      return { banned: true, connects, until: e.bannedUntil };
    },
    close() {
      clock.clearInterval(sweep);
      entries.clear();
    },
  };
}
