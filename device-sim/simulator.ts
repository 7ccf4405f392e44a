// The simulator: every fleet device as a real MQTT client with its own credentials, publishing believable
// readings on its own schedule, with drill scenarios layered on top.
//
//   one tick (25 ms wall) ──▶ connect ramp (token bucket, e.g. 200 connects/s)
//        │                 ──▶ due devices (min-heap by next report time) ──▶ signals.nextReading
//        │                          └─ + scenario rain / metric overrides ─▶ clampToRange ─▶ PUBLISH
//        │                 ──▶ scenario timeline: camera events, offline windows, narrative notes
//        └─ every second ──▶ keep-alive PINGREQ, connect time-outs, readings/s window
//
//   link down (fault, drill power cut, broker gone) ─▶ readings buffered ─▶ reconnect with exponential
//   back-off + jitter ─▶ retained status online ─▶ resend unacked QoS 1 ─▶ batch upload {readings:[…]}
//
// Time: simulated time runs `speed`× wall time from `startAt`; scenario minutes are simulated minutes.
// Timestamps sent are wall time (the hub refuses readings from the future), so under a speed factor the
// hub's rolling windows see compressed time; changes of cumulative metrics (displacement, tilt, crack) are
// divided by the speed so rates (mm/day) match the story (see docs/simulator.md).
import pino from 'pino';
import { topicFor, systemClock, type DeviceKind, type TelemetryReadingPayload, type TimerHandle } from '../schemas/index.js';
import type { FleetDevice } from './fleet.js';
import { LiteConnection, type LiteHandlers } from './mqtt-lite.js';
import { DueHeap } from './due-heap.js';
import { bindScenario, loadScenario, type BoundScenario } from './scenario.js';
import {
  QOS1_KINDS,
  REPORT_INTERVAL_MS,
  BATTERY_KINDS,
  batteryLevel,
  clampToRange,
  createWeather,
  dropsReading,
  initSignalState,
  linkDown,
  nextReading,
  type SignalState,
  type Weather,
} from './signals.js';

export type { SimulatorOptions, SimStats, Simulator } from './simulator-types.js';
import type { SimulatorOptions, Simulator } from './simulator-types.js';

const enum Link {
  Idle,
  Queued,
  Connecting,
  Connected,
  Backoff,
  Held,
  Stopped,
}

interface Pending {
  topic: string;
  payload: string;
  qos: 0 | 1;
}

interface DeviceRt {
  i: number;
  d: FleetDevice;
  st: SignalState;
  link: Link;
  conn: LiteConnection | null;
  attempt: number;
  due: number;
  targeted: boolean;
  intervalMs: number;
  heldUntilSim: number;
  buffer: TelemetryReadingPayload[] | null;
  /** unacked QoS 1 publishes by message id */
  inflight: Map<number, Pending> | null;
  resend: Pending[] | null;
}

interface ScenarioRun {
  bound: BoundScenario;
  startSim: number;
  ev: number;
  off: number;
  note: number;
  done: boolean;
}

const MAX_INFLIGHT = 32;
const BATCH_CHUNK = 100;
const RATE_METRICS: Partial<Record<DeviceKind, readonly string[]>> = { geo: ['displacement', 'tilt', 'crack'] };

export function createSimulator(opts: SimulatorOptions): Simulator {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? pino({ level: 'silent' });
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
  const bgSpeed = opts.backgroundSpeed ?? speed;
  const drill = opts.drill ?? true;
  const connectRate = opts.connectRate ?? 200;
  const maxPending = opts.maxPendingConnects ?? 100;
  const keepaliveS = opts.keepaliveS ?? 60;
  const minBackoff = opts.reconnect?.minMs ?? 1000;
  const maxBackoff = opts.reconnect?.maxMs ?? 60_000;
  const connectTimeout = opts.connectTimeoutMs ?? 15_000;
  const bufferLimit = opts.bufferLimit ?? 500;
  const compressRates = opts.compressRates ?? true;
  const url = new URL(opts.url);
  if (opts.transport === 'ws' && !url.protocol.startsWith('ws')) url.protocol = 'ws:';
  if (opts.transport === 'tcp' && url.protocol !== 'mqtt:' && url.protocol !== 'tcp:') throw new Error(`transport tcp needs an mqtt:// url, got ${opts.url}`);
  const fleet = opts.fleet;
  const weather: Weather = createWeather(fleet.seed);

  const list = opts.scenario === undefined ? [] : Array.isArray(opts.scenario) ? opts.scenario : [opts.scenario];
  const bound = list.map((s) => bindScenario(typeof s === 'string' ? loadScenario(s) : s, fleet));
  for (const b of bound) for (const w of b.warnings) logger.warn({ scenario: b.scenario.name }, w);

  let wallStart = 0;
  let simStart = 0;
  const simAt = (wall: number): number => simStart + (wall - wallStart) * speed;

  const rts: DeviceRt[] = fleet.devices.map((d, i) => {
    const targeted = bound.some((b) => b.targeted.has(i));
    let simInterval = REPORT_INTERVAL_MS[d.kind];
    for (const b of bound) if (b.targeted.has(i)) simInterval = Math.min(simInterval, b.intervalMs(d) ?? simInterval);
    return {
      i,
      d,
      st: initSignalState(d, 0),
      link: Link.Idle,
      conn: null,
      attempt: 0,
      due: 0,
      targeted,
      intervalMs: Math.max(20, simInterval / (targeted ? speed : bgSpeed)),
      heldUntilSim: 0,
      buffer: null,
      inflight: null,
      resend: null,
    };
  });

  const heap = new DueHeap<DeviceRt>();
  const connectQueue: DeviceRt[] = [];
  let queueHead = 0;
  let tokens = 0;
  let lastTick = 0;
  let lastSweep = 0;
  let tickTimer: TimerHandle | null = null;
  let running = false;
  let stopping: Promise<void> | null = null;
  const backoffTimers = new Set<TimerHandle>();
  /** links waiting for CONNACK */
  const pending = new Set<DeviceRt>();
  const runs: ScenarioRun[] = [];

  const counters = { connected: 0, published: 0, acked: 0, readings: 0, events: 0, errors: 0, reconnects: 0, buffered: 0, dropped: 0 };
  let lastError: string | null = null;
  const rateWindow: { t: number; n: number }[] = [];
  const connectWaiters: { count: number; resolve: () => void }[] = [];

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const statusTopic = (d: FleetDevice): string => topicFor(d.kind, d.id, 'status');
  const willPayload = Buffer.from(JSON.stringify(drill ? { online: false, drill: true } : { online: false }));

  const fail = (msg: string): void => {
    counters.errors += 1;
    lastError = msg;
  };

  const handlers: LiteHandlers = {
    now: () => clock.now(),
    onConnack(conn, rc) {
      const rt = rts[conn.tag]!;
      if (rt.conn !== conn) return;
      pending.delete(rt);
      if (rc !== 0) {
        fail(`${rt.d.id}: connection refused (CONNACK ${rc}${rc === 4 || rc === 5 ? ', bad credentials or not registered' : ''})`);
        rt.link = Link.Idle; // counted once; onClose schedules the retry
        conn.destroy();
        return;
      }
      rt.link = Link.Connected;
      rt.attempt = 0;
      counters.connected += 1;
      for (let k = connectWaiters.length - 1; k >= 0; k--) {
        const w = connectWaiters[k]!;
        if (counters.connected >= w.count) {
          connectWaiters.splice(k, 1);
          w.resolve();
        }
      }
      onOnline(rt);
    },
    onPuback(conn, id) {
      const rt = rts[conn.tag]!;
      if (rt.conn !== conn) return; // ids restart with every connection: a stale link's ack is not ours
      rt.inflight?.delete(id);
      counters.acked += 1;
      if (rt.resend || rt.buffer) flushHeld(rt, clock.now());
    },
    onClose(conn, err) {
      const rt = rts[conn.tag]!;
      if (rt.conn !== conn) return;
      rt.conn = null;
      pending.delete(rt);
      const was = rt.link;
      if (was === Link.Connected) {
        counters.connected -= 1;
        counters.reconnects += 1;
      } else if (was === Link.Connecting && err) {
        fail(`${rt.d.id}: ${err.message}`);
      } else if (was === Link.Connecting) {
        fail(`${rt.d.id}: connection closed before CONNACK`);
      }
      // unacknowledged QoS 1 publishes are sent again after the reconnect (clean session: as new messages)
      if (rt.inflight && rt.inflight.size > 0) {
        rt.resend = [...(rt.resend ?? []), ...rt.inflight.values()];
        rt.inflight.clear();
      }
      if (!running || rt.link === Link.Stopped) {
        rt.link = Link.Stopped;
        return;
      }
      if (rt.link === Link.Held) return;
      scheduleReconnect(rt);
    },
  };

  function scheduleReconnect(rt: DeviceRt): void {
    rt.link = Link.Backoff;
    const exp = Math.min(maxBackoff, minBackoff * 2 ** rt.attempt);
    rt.attempt = Math.min(rt.attempt + 1, 20);
    const delay = exp / 2 + Math.random() * (exp / 2); // "equal jitter"
    const h = clock.setTimeout(() => {
      backoffTimers.delete(h);
      if (running && rt.link === Link.Backoff) enqueueConnect(rt);
    }, delay);
    backoffTimers.add(h);
  }

  function enqueueConnect(rt: DeviceRt): void {
    rt.link = Link.Queued;
    connectQueue.push(rt);
  }

  function openLink(rt: DeviceRt, now: number): void {
    const d = rt.d;
    rt.link = Link.Connecting;
    pending.add(rt);
    const conn = new LiteConnection(
      { url, clientId: d.id, username: d.id, password: d.token, keepaliveS, will: { topic: statusTopic(d), payload: willPayload, qos: 1, retain: true } },
      handlers,
      rt.i,
    );
    rt.conn = conn;
    conn.connect(now);
  }

  function send(rt: DeviceRt, p: Pending, now: number): boolean {
    const conn = rt.conn;
    if (!conn || rt.link !== Link.Connected) return false;
    const id = conn.publish(p.topic, p.payload, p.qos, false, now);
    if (id < 0) return false;
    counters.published += 1;
    if (id > 0) (rt.inflight ??= new Map()).set(id, p);
    return true;
  }

  function publishStatus(rt: DeviceRt, now: number, sim: number): void {
    const d = rt.d;
    const battery = batteryLevel(d, rt.st, sim);
    const status: Record<string, unknown> = { ts: now, online: true };
    if (battery !== undefined) status.battery = battery;
    status.rssi = -60 - Math.round((rt.st.key % 40) + Math.random() * 5);
    if (d.sim.firmware) status.firmware = d.sim.firmware;
    if (drill) status.drill = true;
    const id = rt.conn ? rt.conn.publish(statusTopic(d), JSON.stringify(status), d.kind === 'camera' ? 0 : 1, true, now) : -1;
    if (id >= 0) counters.published += 1;
  }

  function onOnline(rt: DeviceRt): void {
    const now = clock.now();
    publishStatus(rt, now, simAt(now));
    flushHeld(rt, now);
  }

  /**
   * Sends what the device holds — unacknowledged publishes first, then buffered readings in batches —
   * while fewer than MAX_INFLIGHT QoS 1 publishes await their PUBACK: the hub disconnects a device with
   * more than LOOKOUT_MQTT_MAX_INFLIGHT (100) unacknowledged (security-test-plan T17). Runs on connect
   * and on every PUBACK.
   */
  function flushHeld(rt: DeviceRt, now: number): void {
    const room = () => (rt.inflight?.size ?? 0) < MAX_INFLIGHT;
    while (rt.resend && room() && send(rt, rt.resend[0]!, now)) {
      rt.resend.shift();
      if (rt.resend.length === 0) rt.resend = null;
    }
    if (rt.resend) return;
    const qos: 0 | 1 = QOS1_KINDS.has(rt.d.kind) ? 1 : 0;
    const topic = topicFor(rt.d.kind, rt.d.id, 'telemetry');
    while (rt.buffer?.length && room()) {
      const readings = rt.buffer.slice(0, BATCH_CHUNK);
      const payload = JSON.stringify(drill ? { drill: true, readings } : { readings });
      if (!send(rt, { topic, payload, qos }, now)) break;
      rt.buffer.splice(0, readings.length);
      counters.buffered -= readings.length;
      counters.readings += readings.length;
      if (rt.buffer.length === 0) rt.buffer = null;
    }
  }

  function dropLink(rt: DeviceRt): void {
    // the device loses power/radio: no DISCONNECT, so the broker publishes its will (online:false)
    pending.delete(rt);
    if (rt.conn) {
      const was = rt.link;
      rt.link = Link.Held;
      if (was === Link.Connected) {
        counters.connected -= 1;
        counters.reconnects += 1;
      }
      const c = rt.conn;
      rt.conn = null;
      if (rt.inflight && rt.inflight.size > 0) {
        rt.resend = [...(rt.resend ?? []), ...rt.inflight.values()];
        rt.inflight.clear();
      }
      c.destroy();
    } else {
      rt.link = Link.Held;
    }
  }

  function bufferReading(rt: DeviceRt, r: TelemetryReadingPayload): void {
    const b = (rt.buffer ??= []);
    b.push(r);
    counters.buffered += 1;
    if (b.length > bufferLimit) {
      b.shift();
      counters.buffered -= 1;
      counters.dropped += 1;
    }
  }

  function report(rt: DeviceRt, now: number, sim: number): void {
    const d = rt.d;
    const down = linkDown(d, rt.st, sim) || sim < rt.heldUntilSim;
    if (down && rt.link !== Link.Held) dropLink(rt);
    else if (!down && rt.link === Link.Held) enqueueConnect(rt);

    if (d.kind === 'camera') {
      // GB/T 28181-style keep-alive as a retained status heartbeat
      rt.st.seq += 1;
      if (rt.link === Link.Connected) publishStatus(rt, now, sim);
      return;
    }
    let rain = 0;
    for (const r of runs) if (!r.done) rain += r.bound.rainAt(rt.i, d, (sim - r.startSim) / 60_000);
    const values = nextReading(d, rt.st, { simMs: sim, weather, scenarioRainMmH: rain });
    if (rt.targeted) {
      const base = compressRates && speed !== 1 ? { ...values } : null;
      for (const r of runs) if (!r.done) r.bound.applyMetrics(rt.i, d, (sim - r.startSim) / 60_000, values);
      const rateMetrics = RATE_METRICS[d.kind];
      if (base && rateMetrics) {
        for (const m of rateMetrics) if (m in values && m in base) values[m] = base[m]! + (values[m]! - base[m]!) / speed;
      }
    }
    if (dropsReading(d, rt.st)) {
      counters.dropped += 1;
      return;
    }
    const reading: TelemetryReadingPayload = { ts: now, seq: rt.st.seq, values: clampToRange(d.kind, values) };
    if (rt.link !== Link.Connected) {
      bufferReading(rt, reading);
      return;
    }
    if (rt.inflight && rt.inflight.size >= MAX_INFLIGHT) {
      bufferReading(rt, reading); // the broker is not acknowledging: hold on to data like an RTU would
      return;
    }
    const payload = JSON.stringify(drill ? { ts: reading.ts, seq: reading.seq, values: reading.values, drill: true } : reading);
    if (send(rt, { topic: topicFor(d.kind, d.id, 'telemetry'), payload, qos: QOS1_KINDS.has(d.kind) ? 1 : 0 }, now)) counters.readings += 1;
    if (BATTERY_KINDS.has(d.kind) && rt.st.seq % 12 === 0) publishStatus(rt, now, sim);
  }

  function runTimeline(now: number, sim: number): void {
    for (const r of runs) {
      if (r.done) continue;
      const tMin = (sim - r.startSim) / 60_000;
      const b = r.bound;
      while (r.note < b.notes.length && b.notes[r.note]!.atMin <= tMin) {
        const n = b.notes[r.note++]!;
        logger.info({ scenario: b.scenario.name, step: n.stepId, atMin: n.atMin, devices: n.devices, drill: true }, n.text);
        opts.onNote?.({ ...n, scenario: b.scenario.name });
      }
      while (r.off < b.offline.length && b.offline[r.off]!.fromMin <= tMin) {
        const w = b.offline[r.off++]!;
        const rt = rts[w.index]!;
        rt.heldUntilSim = r.startSim + w.toMin * 60_000;
        if (rt.link !== Link.Stopped) dropLink(rt);
      }
      while (r.ev < b.events.length && b.events[r.ev]!.atMin <= tMin) {
        const e = b.events[r.ev++]!;
        const rt = rts[e.index]!;
        const payload: Record<string, unknown> = { ts: now, type: e.type, confidence: e.confidence };
        if (e.value !== undefined) payload.value = e.value;
        if (e.snapshot) payload.snapshot = e.snapshot;
        payload.drill = true;
        if (send(rt, { topic: topicFor(rt.d.kind, rt.d.id, 'event'), payload: JSON.stringify(payload), qos: 1 }, now)) counters.events += 1;
        else counters.dropped += 1;
      }
      if (tMin >= b.scenario.durationMin) {
        if (opts.loop) {
          r.startSim = sim + 10 * 60_000;
          r.ev = r.off = r.note = 0;
          logger.info({ scenario: b.scenario.name }, 'scenario ended; replaying in 10 simulated minutes');
        } else {
          r.done = true;
          logger.info({ scenario: b.scenario.name, drill: true }, 'scenario ended');
          if (runs.every((x) => x.done)) resolveDone();
        }
      }
    }
  }

  function sweep(now: number): void {
    const idleMs = keepaliveS * 1000 * 0.75;
    for (const rt of rts) {
      const c = rt.conn;
      if (!c) continue;
      if (rt.link === Link.Connecting && now - c.startedAt > connectTimeout) {
        fail(`${rt.d.id}: no CONNACK within ${connectTimeout} ms`);
        rt.conn = null;
        pending.delete(rt);
        c.destroy();
        scheduleReconnect(rt);
      } else if (rt.link === Link.Connected) {
        if (now - c.lastOut >= idleMs) c.ping(now);
        if (now - c.lastIn > keepaliveS * 1500) {
          fail(`${rt.d.id}: broker silent for ${keepaliveS * 1.5} s`);
          c.destroy();
        }
      }
    }
    rateWindow.push({ t: now, n: counters.readings });
    while (rateWindow.length > 1 && now - rateWindow[0]!.t > 5000) rateWindow.shift();
  }

  function tick(): void {
    const now = clock.now();
    const sim = simAt(now);
    // connection ramp: token bucket
    tokens = Math.min(connectRate, tokens + ((now - lastTick) / 1000) * connectRate);
    lastTick = now;
    while (tokens >= 1 && queueHead < connectQueue.length && pending.size < maxPending) {
      const rt = connectQueue[queueHead++]!;
      if (rt.link !== Link.Queued) continue;
      tokens -= 1;
      openLink(rt, now);
    }
    if (queueHead > 1024 && queueHead * 2 > connectQueue.length) {
      connectQueue.splice(0, queueHead);
      queueHead = 0;
    }
    runTimeline(now, sim);
    // due readings (cap per tick so one slow tick cannot snowball)
    let budget = 20_000;
    while (budget-- > 0) {
      const top = heap.peek();
      if (!top || top.due > now) break;
      heap.pop();
      report(top, now, sim);
      top.due = Math.max(top.due + top.intervalMs * (0.98 + Math.random() * 0.04), now - top.intervalMs);
      heap.push(top);
    }
    if (now - lastSweep >= 1000) {
      lastSweep = now;
      sweep(now);
    }
  }

  const sim: Simulator = {
    scenarios: bound,
    done,
    simNow: () => simAt(clock.now()),
    async start() {
      if (running) return;
      running = true;
      const now = clock.now();
      wallStart = now;
      simStart = opts.startAt ?? now;
      lastTick = now;
      lastSweep = now;
      tokens = Math.min(connectRate, 10);
      for (const rt of rts) {
        rt.st = initSignalState(rt.d, simStart);
        // spread first reports over one interval (scenario devices report soon)
        rt.due = now + (rt.targeted ? Math.min(rt.intervalMs, 1000) : rt.intervalMs) * Math.random();
        heap.push(rt);
        enqueueConnect(rt);
      }
      const startSim = simStart + (opts.scenarioDelayMin ?? 0) * 60_000;
      for (const b of bound) runs.push({ bound: b, startSim, ev: 0, off: 0, note: 0, done: false });
      if (runs.length === 0) resolveDone();
      logger.info({ devices: rts.length, url: url.href, speed, scenarios: bound.map((b) => b.scenario.name), drill }, 'simulator starting');
      tickTimer = clock.setInterval(tick, 25);
    },
    stop() {
      stopping ??= (async () => {
        if (!running) return;
        if (tickTimer) clock.clearInterval(tickTimer);
        for (const h of backoffTimers) clock.clearTimeout(h);
        backoffTimers.clear();
        const now = clock.now();
        const closing: Promise<void>[] = [];
        for (const rt of rts) {
          const c = rt.conn;
          if (c && rt.link === Link.Connected) {
            const off: Record<string, unknown> = { ts: now, online: false };
            if (drill) off.drill = true;
            c.publish(statusTopic(rt.d), JSON.stringify(off), 0, true, now);
            counters.published += 1;
          }
          const was = rt.link;
          rt.link = Link.Stopped;
          if (c) {
            if (was === Link.Connected) counters.connected -= 1;
            closing.push(
              new Promise<void>((resolve) => {
                const t = setTimeout(resolve, 2000);
                t.unref();
                const check = setInterval(() => {
                  if (c.closed) {
                    clearInterval(check);
                    clearTimeout(t);
                    resolve();
                  }
                }, 20);
                check.unref();
              }),
            );
            c.end();
          }
        }
        running = false;
        heap.clear();
        await Promise.all(closing);
        resolveDone();
        logger.info({ ...counters }, 'simulator stopped');
      })();
      return stopping;
    },
    stats() {
      const first = rateWindow[0];
      const last = rateWindow[rateWindow.length - 1];
      const rate = first && last && last.t > first.t ? ((last.n - first.n) * 1000) / (last.t - first.t) : 0;
      const active = runs.filter((r) => !r.done);
      const now = clock.now();
      let inflight = 0;
      for (const rt of rts) inflight += (rt.inflight?.size ?? 0) + (rt.resend?.length ?? 0);
      return {
        devices: rts.length,
        ...counters,
        inflight,
        readingsPerSec: Math.round(rate * 10) / 10,
        lastError,
        scenarioMin: runs.length ? Math.max(0, Math.round(((simAt(now) - (active[0] ?? runs[0]!).startSim) / 60_000) * 10) / 10) : null,
        scenarioDone: runs.length > 0 && active.length === 0,
      };
    },
    whenConnected(count = rts.length, timeoutMs = 60_000) {
      if (counters.connected >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const w = { count, resolve: () => (clearTimeout(t), resolve()) };
        const t = setTimeout(() => {
          const k = connectWaiters.indexOf(w);
          if (k >= 0) connectWaiters.splice(k, 1);
          reject(new Error(`only ${counters.connected} of ${count} devices connected after ${timeoutMs} ms (last error: ${lastError ?? 'none'})`));
        }, timeoutMs);
        connectWaiters.push(w);
      });
    },
  };
  return sim;
}
