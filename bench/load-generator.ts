// Load generator that is not the bottleneck: one raw `net` socket per device, packets encoded once by
// mqtt-packet and patched in place (packet id, timestamp digits), several packets per device coalesced into
// one write, PUBACKs parsed by hand and matched by packet id. Runs in its own process (see `main` below)
// so it does not share the hub's event loop or core.
//
//   rate = 0   closed loop: every device keeps `window` QoS 1 publishes in flight (QoS 0: keeps its socket
//              buffer topped up) → the sustained rate is what the broker acknowledges
//   rate > 0   open loop: `rate` messages/s in total, spread evenly over devices (still capped by window)
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { benchFleet, probeFleet, type BenchDevice } from './lib/fleet.js';
import { DISCONNECT, IncomingParser, connectPacket, patchTs, publishTemplate, subscribePacket, type PublishTemplate } from './lib/mqtt-wire.js';
import type { DeviceKind } from '../schemas/index.js';

export interface GeneratorOptions {
  host: string;
  port: number;
  qos: 0 | 1;
  /** QoS 1 publishes in flight per device */
  window: number;
  /** messages/s over all devices; 0 = as fast as the broker takes them */
  rate: number;
  /** send credentials (false for brokers without auth) */
  auth: boolean;
  /**
   * one write() per packet instead of one per device per tick (Mosquitto 2.0 reads one packet per
   * socket wake-up, so coalesced packets wait for the next arrival)
   */
  perPacketWrites?: boolean;
  /** a device sends at most one message per this many ms (e.g. 10 000: reports every 10 s) */
  minIntervalMs?: number;
  /**
   * 0: timestamps follow the wall clock, at least 1 ms apart per device (every (device, metric, ts) is unique,
   * so stored rows can be counted); otherwise the first timestamp, counting up 1 ms per message
   */
  tsBase: number;
}

export interface GeneratorStats {
  devices: number;
  connected: number;
  refused: number;
  closed: number;
  sent: number;
  acked: number;
  strayAcks: number;
  inflight: number;
  readingsSent: number;
  readingsAcked: number;
  rowsSent: number;
  subscriberReceived: number;
  /** ms since start() */
  elapsedMs: number;
  cpuMs: number;
  rssMb: number;
}

interface Dev {
  d: BenchDevice;
  tpl: PublishTemplate;
  sock: net.Socket | null;
  ready: boolean;
  nextId: number;
  seq: number;
  lastTs: number;
  lastSentAt: number;
  inflight: Set<number>;
}

const QOS0_HIGH_WATER = 64 * 1024;

export class LoadGenerator {
  private devs: Dev[] = [];
  private subs: net.Socket[] = [];
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private rr = 0;
  private tokens = 0;
  private lastTick = 0;
  private startedAt = 0;
  private cpuAtStart = process.cpuUsage();
  private s = { connected: 0, refused: 0, closed: 0, sent: 0, acked: 0, strayAcks: 0, readingsSent: 0, readingsAcked: 0, rowsSent: 0, subscriberReceived: 0 };

  constructor(private opts: GeneratorOptions) {}

  configure(o: Partial<GeneratorOptions>): void {
    this.opts = { ...this.opts, ...o };
  }

  /** Opens one connection per device, `concurrency` CONNECTs at a time. */
  async connect(devices: BenchDevice[], concurrency = 200): Promise<{ connected: number; refused: number }> {
    const o = this.opts;
    const fresh: Dev[] = devices.map((d) => ({
      d,
      tpl: publishTemplate(d.topic, d.payload, o.qos, d.readings, d.rows),
      sock: null,
      ready: false,
      nextId: 1,
      seq: 0,
      lastTs: 0,
      lastSentAt: -Infinity,
      inflight: new Set<number>(),
    }));
    let next = 0;
    const worker = async () => {
      while (next < fresh.length) {
        const dev = fresh[next++]!;
        await this.open(dev);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, fresh.length) }, worker));
    this.devs.push(...fresh.filter((x) => x.ready));
    return { connected: fresh.filter((x) => x.ready).length, refused: fresh.filter((x) => !x.ready).length };
  }

  private open(dev: Dev): Promise<void> {
    const o = this.opts;
    return new Promise<void>((resolve) => {
      const sock = net.connect({ host: o.host, port: o.port });
      sock.setNoDelay(true);
      let settled = false;
      const settle = () => {
        if (!settled) {
          settled = true;
          resolve();
        }
      };
      const parser = new IncomingParser({
        connack: (rc) => {
          if (rc === 0) {
            dev.ready = true;
            this.s.connected++;
          } else {
            this.s.refused++;
            sock.destroy();
          }
          settle();
        },
        puback: (id) => {
          if (dev.inflight.delete(id)) {
            this.s.acked++;
            this.s.readingsAcked += dev.tpl.readings;
            this.kick();
          } else this.s.strayAcks++;
        },
        suback: () => {},
        publish: () => {},
        other: () => {},
      });
      sock.on('data', (c: Buffer) => parser.push(c));
      sock.on('drain', () => this.kick());
      sock.on('error', () => {});
      sock.on('close', () => {
        if (dev.ready) this.s.closed++;
        dev.ready = false;
        settle();
      });
      dev.sock = sock;
      sock.write(connectPacket(dev.d.id, o.auth ? dev.d.id : null, o.auth ? dev.d.token : null));
      setTimeout(() => {
        if (!settled) {
          this.s.refused++;
          sock.destroy();
          settle();
        }
      }, 60_000).unref();
    });
  }

  /** A plain subscriber (no auth) that counts what the broker relays, e.g. `lookout/#`. */
  async subscribe(topic: string, clientId = 'bench-sub'): Promise<void> {
    const o = this.opts;
    await new Promise<void>((resolve, reject) => {
      const sock = net.connect({ host: o.host, port: o.port });
      const parser = new IncomingParser({
        connack: (rc) => (rc === 0 ? sock.write(subscribePacket(topic)) : reject(new Error(`subscriber refused ${rc}`))),
        suback: () => resolve(),
        puback: () => {},
        publish: (n) => (this.s.subscriberReceived += n),
        other: () => {},
      });
      sock.on('data', (c: Buffer) => parser.push(c));
      sock.on('error', reject);
      sock.write(connectPacket(clientId, null, null));
      this.subs.push(sock);
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.startedAt = performance.now();
    this.lastTick = this.startedAt;
    this.cpuAtStart = process.cpuUsage();
    this.tokens = 0;
    this.timer = setInterval(() => this.kick(), this.opts.rate > 0 ? 2 : 5);
    this.kick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private kick(): void {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const { qos, window, rate } = this.opts;
    const devs = this.devs;
    const n = devs.length;
    if (n === 0) return;
    const now = performance.now();
    let budget = Infinity;
    if (rate > 0) {
      this.tokens = Math.min(this.tokens + ((now - this.lastTick) * rate) / 1000, rate * 0.05 + n); // ≤ 50 ms burst
      this.lastTick = now;
      budget = Math.floor(this.tokens);
      if (budget <= 0) return;
    }
    const minGap = this.opts.minIntervalMs ?? 0;
    const start = this.rr;
    const per = rate > 0 ? Math.floor(budget / n) : 0;
    const extra = rate > 0 ? budget % n : 0;
    let spent = 0;
    for (let k = 0; k < n; k++) {
      const dev = devs[(start + k) % n]!;
      if (!dev.ready || !dev.sock) continue;
      let can: number;
      if (qos === 1) can = window - dev.inflight.size;
      else can = dev.sock.writableLength < QOS0_HIGH_WATER ? window : 0;
      if (rate > 0) can = Math.min(can, per + (k < extra ? 1 : 0));
      if (minGap > 0) {
        // first report at a random point of the first interval, so devices do not report in lockstep
        if (dev.lastSentAt === -Infinity) dev.lastSentAt = now - Math.random() * minGap;
        if (now - dev.lastSentAt < minGap) continue;
        can = Math.min(can, 1);
        dev.lastSentAt = now;
      }
      if (can <= 0) continue;
      this.send(dev, can);
      spent += can;
    }
    if (rate > 0) {
      this.rr = (start + extra) % n;
      this.tokens -= spent;
    } else if (qos === 0) this.kick(); // keep socket buffers topped up; 'drain' also kicks
  }

  private send(dev: Dev, count: number): void {
    const { buf: tpl, idOffset, tsOffset, readings, rows } = dev.tpl;
    const len = tpl.length;
    const out = Buffer.allocUnsafe(len * count);
    const base = this.opts.tsBase;
    const now = Date.now();
    for (let i = 0; i < count; i++) {
      const off = i * len;
      tpl.copy(out, off);
      const ts = base > 0 ? base + dev.seq : Math.max(now, dev.lastTs + 1);
      dev.lastTs = ts;
      if (tsOffset >= 0) patchTs(out, off + tsOffset, ts);
      dev.seq++;
      if (idOffset >= 0) {
        let id = dev.nextId;
        while (dev.inflight.has(id)) id = (id % 65535) + 1;
        dev.nextId = (id % 65535) + 1;
        dev.inflight.add(id);
        out[off + idOffset] = id >> 8;
        out[off + idOffset + 1] = id & 0xff;
      }
    }
    if (this.opts.perPacketWrites && count > 1) {
      const sock = dev.sock!;
      for (let i = 0; i < count; i++) sock.write(out.subarray(i * len, (i + 1) * len));
    } else dev.sock!.write(out);
    this.s.sent += count;
    this.s.readingsSent += readings * count;
    this.s.rowsSent += rows * count;
  }

  stats(): GeneratorStats {
    let inflight = 0;
    for (const d of this.devs) inflight += d.inflight.size;
    const cpu = process.cpuUsage(this.cpuAtStart);
    return {
      devices: this.devs.length,
      ...this.s,
      inflight,
      elapsedMs: this.running ? performance.now() - this.startedAt : 0,
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: process.memoryUsage.rss() / 1048576,
    };
  }

  resetCounters(): void {
    for (const k of Object.keys(this.s) as (keyof typeof this.s)[]) if (k !== 'connected' && k !== 'refused' && k !== 'closed') this.s[k] = 0;
    this.startedAt = performance.now();
    this.cpuAtStart = process.cpuUsage();
  }

  /** Waits until every QoS 1 publish is acknowledged (or `ms` passes); answers what is still in flight. */
  async drain(ms = 30_000): Promise<number> {
    const until = Date.now() + ms;
    for (;;) {
      let inflight = 0;
      for (const d of this.devs) inflight += d.inflight.size;
      if (inflight === 0 || Date.now() > until) return inflight;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    this.stop();
    const all = [...this.devs.map((d) => d.sock), ...this.subs].filter((s): s is net.Socket => !!s);
    for (const s of all) {
      if (!s.destroyed) s.end(DISCONNECT);
    }
    await new Promise((r) => setTimeout(r, 50));
    for (const s of all) s.destroy();
    this.devs = [];
    this.subs = [];
  }
}

// ---- child-process entry: `fork('bench/load-generator.ts')` and drive it over IPC (bench/lib/rpc.ts) ----

export interface FleetSpec {
  /** background devices */
  devices: number;
  mix?: Partial<Record<DeviceKind, number>>;
  prefix?: string;
  /** probe gas stations instead of background devices */
  probes?: boolean;
}

export function fleetOf(spec: FleetSpec): BenchDevice[] {
  return spec.probes ? probeFleet(spec.devices, spec.prefix) : benchFleet(spec.devices, spec.mix, spec.prefix);
}

async function main() {
  const { serve } = await import('./lib/rpc.js');
  let gen: LoadGenerator | null = null;
  const need = () => {
    if (!gen) throw new Error('call init first');
    return gen;
  };
  serve({
    ping: () => 'pong',
    init: (o: GeneratorOptions) => {
      gen = new LoadGenerator(o);
      return true;
    },
    configure: (o: Partial<GeneratorOptions>) => need().configure(o),
    connect: (a: { fleet: FleetSpec; concurrency?: number }) => need().connect(fleetOf(a.fleet), a.concurrency),
    subscribe: (a: { topic: string }) => need().subscribe(a.topic),
    start: () => need().start(),
    stop: () => need().stop(),
    reset: () => need().resetCounters(),
    stats: () => need().stats(),
    drain: (a: { ms?: number }) => need().drain(a?.ms),
    close: async () => {
      await gen?.close();
      gen = null;
      return true;
    },
  });
}

if (process.send && process.argv[1]?.endsWith('load-generator.ts')) void main();
