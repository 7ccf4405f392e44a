// A TCP fault proxy for tests (security-test-plan T31; toxiproxy is not installable here): devices connect
// to the proxy, the proxy forwards to the hub, and a test turns network faults on and off.
//
//   device ──TCP──▶ proxy ──TCP──▶ hub
//                    ├─ latency(ms)   every chunk waits `ms`, each direction, order kept
//                    ├─ resetPeer()   RST both sides of every open connection (ECONNRESET)
//                    ├─ partition(on) nothing passes, nothing is closed: bytes wait, as TCP retransmits
//                    │                them, and are delivered on heal; a side that closed meanwhile
//                    │                (keep-alive gave up) is reset on heal. New connections are accepted
//                    │                but reach the hub only after the heal (a SYN that is retried).
//                    └─ refuse(on)    new connections are reset at once
//
// `tap` sees every chunk as it reaches the proxy (before any fault), per connection and direction: a test
// can decode the MQTT stream to know exactly what a device sent and what the hub acknowledged.
import net from 'node:net';

export type Direction = 'up' | 'down';

export interface FaultProxyOptions {
  /** the hub's MQTT port (host 127.0.0.1 by default) */
  target: { host?: string; port: number };
  /** sees every chunk as it arrives: `up` = device → hub, `down` = hub → device */
  tap?: (conn: number, dir: Direction, chunk: Buffer) => void;
  /** a connection is gone (both sides closed) */
  onClose?: (conn: number) => void;
}

export interface FaultProxyStats {
  /** connections accepted */
  accepted: number;
  /** open now */
  open: number;
  /** connections reset by `resetPeer()`, `refuse(true)` or a heal */
  reset: number;
  /** closes held back by a partition (delivered as resets on heal) */
  heldCloses: number;
  /** chunks that waited for a latency */
  delayed: number;
  /** chunks that waited for a partition to heal */
  held: number;
}

export interface FaultProxy {
  readonly port: number;
  latency(ms: number): void;
  resetPeer(): number;
  partition(on: boolean): void;
  refuse(on: boolean): void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

interface Lane {
  /** chunks waiting for their time (latency) */
  queue: { at: number; buf: Buffer }[];
  timer: NodeJS.Timeout | null;
  /** chunks waiting for the heal (partition) */
  held: Buffer[];
}

interface Conn {
  id: number;
  down: net.Socket;
  up: net.Socket | null;
  /** device → hub, hub → device */
  lanes: Record<Direction, Lane>;
  /** the side a lane writes to has to be ended once the lane has delivered everything (a clean FIN) */
  ending: Record<Direction, boolean>;
  /** a side closed while partitioned: reset on heal */
  closedDuringPartition: boolean;
  dead: boolean;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const host = opts.target.host ?? '127.0.0.1';
  let latencyMs = 0;
  let partitioned = false;
  let refusing = false;
  let nextId = 1;
  const conns = new Set<Conn>();
  const stats = { accepted: 0, reset: 0, heldCloses: 0, delayed: 0, held: 0 };

  const lane = (): Lane => ({ queue: [], timer: null, held: [] });
  const sink = (c: Conn, dir: Direction): net.Socket | null => (dir === 'up' ? c.up : c.down);

  function kill(c: Conn) {
    if (c.dead) return;
    c.dead = true;
    conns.delete(c);
    for (const l of Object.values(c.lanes)) {
      if (l.timer) clearTimeout(l.timer);
      l.queue.length = 0;
      l.held.length = 0;
    }
    for (const s of [c.down, c.up]) if (s && !s.destroyed) s.resetAndDestroy();
    opts.onClose?.(c.id);
  }

  /** the lane is empty and its sender said FIN: pass the FIN on */
  function maybeEnd(c: Conn, dir: Direction) {
    const l = c.lanes[dir];
    if (!c.ending[dir] || l.queue.length > 0 || l.held.length > 0) return;
    sink(c, dir)?.end();
  }

  function pumpLane(c: Conn, dir: Direction) {
    const l = c.lanes[dir];
    l.timer = null;
    const now = Date.now();
    while (l.queue.length > 0 && l.queue[0]!.at <= now) {
      const { buf } = l.queue.shift()!;
      deliver(c, dir, buf);
    }
    if (l.queue.length > 0) l.timer = setTimeout(() => pumpLane(c, dir), l.queue[0]!.at - now);
    else maybeEnd(c, dir);
  }

  function deliver(c: Conn, dir: Direction, buf: Buffer) {
    if (c.dead) return;
    const s = sink(c, dir);
    if (partitioned || !s) {
      c.lanes[dir].held.push(buf); // waits for the heal (or for the hub side to be dialled)
      stats.held++;
      return;
    }
    if (!s.destroyed) s.write(buf);
  }

  function forward(c: Conn, dir: Direction, buf: Buffer) {
    opts.tap?.(c.id, dir, buf);
    const l = c.lanes[dir];
    if (latencyMs > 0 || l.queue.length > 0) {
      // keep order: never before a chunk that is already waiting
      const at = Math.max(Date.now() + latencyMs, l.queue.at(-1)?.at ?? 0);
      l.queue.push({ at, buf });
      stats.delayed++;
      if (!l.timer) l.timer = setTimeout(() => pumpLane(c, dir), at - Date.now());
      return;
    }
    deliver(c, dir, buf);
  }

  /** a side failed or went away without FIN: reset the other, unless a partition holds the news back */
  function broken(c: Conn) {
    if (c.dead) return;
    if (partitioned) {
      if (!c.closedDuringPartition) stats.heldCloses++;
      c.closedDuringPartition = true;
      return;
    }
    kill(c);
  }

  /** a side sent FIN (`from` is the lane it feeds): the other side gets it after the data before it */
  function finished(c: Conn, dir: Direction) {
    if (c.dead) return;
    if (partitioned) return broken(c);
    c.ending[dir] = true;
    maybeEnd(c, dir);
  }

  function closed(c: Conn) {
    if (c.dead) return;
    if (c.down.destroyed && (!c.up || c.up.destroyed)) {
      c.dead = true;
      conns.delete(c);
      opts.onClose?.(c.id);
      return;
    }
    if (!c.ending.up && !c.ending.down) broken(c);
  }

  function wire(c: Conn, s: net.Socket, dir: Direction) {
    s.setNoDelay(true);
    s.on('data', (d: Buffer) => forward(c, dir, d));
    s.on('end', () => finished(c, dir));
    s.on('error', () => broken(c));
    s.on('close', () => closed(c));
  }

  function connectUp(c: Conn) {
    const up = net.connect({ host, port: opts.target.port });
    c.up = up;
    wire(c, up, 'down');
    up.on('connect', () => {
      for (const b of c.lanes.up.held.splice(0)) deliver(c, 'up', b);
      maybeEnd(c, 'up');
    });
  }

  const server = net.createServer({ allowHalfOpen: true }, (down) => {
    stats.accepted++;
    if (refusing) {
      stats.reset++;
      down.on('error', () => {});
      down.resetAndDestroy();
      return;
    }
    const c: Conn = { id: nextId++, down, up: null, lanes: { up: lane(), down: lane() }, ending: { up: false, down: false }, closedDuringPartition: false, dead: false };
    conns.add(c);
    wire(c, down, 'up');
    if (!partitioned) connectUp(c);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    latency(ms) {
      latencyMs = ms;
    },
    resetPeer() {
      const n = conns.size;
      for (const c of [...conns]) kill(c);
      stats.reset += n;
      return n;
    },
    partition(on) {
      if (partitioned === on) return;
      partitioned = on;
      if (on) return;
      // heal: connections a side gave up on are reset (the survivor learns it at its next send); the
      // others get what waited, in order, and the ones accepted meanwhile reach the hub now
      for (const c of [...conns]) {
        if (c.closedDuringPartition) {
          stats.reset++;
          kill(c);
          continue;
        }
        if (!c.up) {
          connectUp(c);
          continue;
        }
        for (const dir of ['up', 'down'] as const) {
          for (const b of c.lanes[dir].held.splice(0)) deliver(c, dir, b);
          maybeEnd(c, dir);
        }
      }
    },
    refuse(on) {
      refusing = on;
    },
    stats: () => ({ ...stats, open: conns.size }),
    async close() {
      for (const c of [...conns]) kill(c);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
