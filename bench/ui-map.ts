// Dispatcher map under load: 5 000 devices, 50 reading updates/s, in headless Chromium.
//   node --import tsx bench/ui-map.ts [--devices 5000] [--rate 50] [--seconds 20] [--alarms 150]
// Measures
//   1. marker latency: from a `device:updated` push arriving in the page to the first animation frame in
//      which the map renders the device with its new state colour (probe devices flip normal ↔ red every
//      1.5 s; the page checks the rendered feature at the probe's pixel every frame);
//   2. the page's own counters (window.__lookout.perf): push → frame with the interim alarm marker for
//      every alarm change (alarmMarkerMs), and push → frame with the clustered layer redrawn
//      (clusteredLayerMs, includes the 250 ms batching and MapLibre's worker);
//   3. frame times while panning across the city with all updates streaming.
// The hub side is a synthetic server speaking the hub's contract (REST + socket.io, coalesced pushes
// every 250 ms like command-ui/server), so the figures are the browser's, not the hub's. Software GL
// (--disable-gpu, SwiftShader) makes frame times pessimistic versus a control-room PC with a GPU.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Server } from 'socket.io';
import { DEVICE_KINDS, type Device, type DeviceKind, type DeviceState, type HubStats } from '../schemas/index.js';
import { ROOT, ensureWebBuilt, launch } from '../test/e2e/harness.js';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const N = arg('devices', 5000);
const RATE = arg('rate', 50);
const SECONDS = arg('seconds', 20);
const DIST = path.join(ROOT, 'command-ui', 'web', 'dist');
const townships = JSON.parse(readFileSync(path.join(ROOT, 'app', 'data', 'townships.json'), 'utf8')) as {
  townships: { code: string; center: [number, number] }[];
};

// ---- synthetic fleet: clustered around the township centres, like a real deployment ----
let seed = 42;
const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
const now0 = Date.now();
const devices: Device[] = [];
const states = new Map<string, DeviceState>();
for (let i = 0; i < N; i++) {
  const tw = townships.townships[i % townships.townships.length]!;
  const kind = DEVICE_KINDS[i % DEVICE_KINDS.length] as DeviceKind;
  const id = `B-${String(i).padStart(5, '0')}`;
  devices.push({ id, kind, name: `bench ${i}`, lon: tw.center[0] + (rnd() - 0.5) * 0.08, lat: tw.center[1] + (rnd() - 0.5) * 0.05, township: tw.code, attributes: {}, createdAt: now0 });
  states.set(id, { id, kind, online: true, state: 'normal', lastSeen: now0, values: { v: 1 }, valuesTs: now0, battery: 90, drill: false });
}
// probes: isolated devices far from the clusters, in view at the pan zoom
const PROBES = ['P-1', 'P-2', 'P-3'].map((id, k): Device => ({ id, kind: 'gas', name: id, lon: 121.215 + k * 0.02, lat: 28.722, township: null, attributes: {}, createdAt: now0 }));
for (const p of PROBES) {
  devices.push(p);
  states.set(p.id, { id: p.id, kind: 'gas', online: true, state: 'normal', lastSeen: now0, values: { methane: 1 }, valuesTs: now0, battery: 90, drill: false });
}

const stats = (): HubStats => ({ ts: Date.now(), devicesTotal: devices.length, devicesOnline: devices.length, readingsPerSec: RATE, openIncidents: { red: 0, orange: 0, yellow: 0, blue: 0 }, deadLettersLastHour: 0, drillActive: false });
const MIME: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8' };

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  if (p === '/api/auth/login') return json(res, { token: 'bench', user: { username: 'bench', role: 'dispatcher', displayName: 'bench' } });
  if (p === '/api/devices') return json(res, devices);
  if (p === '/api/states') return json(res, [...states.values()]);
  if (p === '/api/incidents') return json(res, []);
  if (p === '/api/stats') return json(res, stats());
  if (p === '/api/map/townships') return json(res, townships);
  if (p === '/api/config/ui') return json(res, { mapStyle: null });
  if (p.startsWith('/api/')) return json(res, {});
  const file = path.join(DIST, p === '/' ? 'index.html' : p);
  if (!file.startsWith(DIST) || !existsSync(file)) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
}

function pct(xs: number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const r1 = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  await ensureWebBuilt();
  const server = createServer(handle);
  const io = new Server(server, { serveClient: false });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const base = `http://127.0.0.1:${port}`;

  // 50 updates/s, coalesced into pushes every 250 ms as the hub does; ~10 % change state colour, with
  // at most MAX_ALARMS devices in alarm at once (a bad storm day, not half the fleet)
  const LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
  const MAX_ALARMS = arg('alarms', 150);
  let alarmed = 0;
  const changed = new Map<string, DeviceState>();
  const gen = setInterval(() => {
    for (let k = 0; k < RATE / 20; k++) {
      const d = devices[Math.floor(rnd() * N)]!;
      const s = states.get(d.id)!;
      let state = s.state;
      if (rnd() < 0.1) {
        if (s.state !== 'normal') {
          state = rnd() < 0.5 ? 'normal' : LEVELS[Math.floor(rnd() * 4)]!;
        } else if (alarmed < MAX_ALARMS) state = LEVELS[Math.floor(rnd() * 4)]!;
        if (s.state === 'normal' && state !== 'normal') alarmed++;
        if (s.state !== 'normal' && state === 'normal') alarmed--;
      }
      const next: DeviceState = { ...s, state, lastSeen: Date.now(), values: { v: rnd() * 100 }, valuesTs: Date.now() };
      states.set(d.id, next);
      changed.set(d.id, next);
    }
  }, 50);
  let probeFlip = 0;
  const probeTimer = setInterval(() => {
    const p = PROBES[probeFlip++ % PROBES.length]!;
    const s = states.get(p.id)!;
    const next: DeviceState = { ...s, state: s.state === 'red' ? 'normal' : 'red', lastSeen: Date.now() };
    states.set(p.id, next);
    changed.set(p.id, next);
  }, 1500);
  const push = setInterval(() => {
    if (!changed.size) return;
    io.emit('device:updated', [...changed.values()]);
    changed.clear();
  }, 250);
  const statsTimer = setInterval(() => io.emit('stats', stats()), 2000);

  const browser = await launch();
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  // tsx (esbuild keepNames) wraps named functions in __name(); give evaluated code a no-op one
  await page.addInitScript('window.__name = (f) => f');
  await page.goto(base);
  await page.fill('[data-testid=login-user]', 'bench');
  await page.fill('[data-testid=login-pass]', 'bench');
  await page.click('[data-testid=login-submit]');
  await page.waitForFunction(() => (window as unknown as { __lookout?: { mapReady(): boolean } }).__lookout?.mapReady() === true, null, { timeout: 60_000 });
  const loadedIn = await page.evaluate(() => performance.now());

  // zoom to the city where individual markers and small clusters mix, probes in view
  await page.evaluate(() => {
    type Hook = { map: { jumpTo(o: object): void }; perf: { reset(): void } };
    const l = (window as unknown as { __lookout: Hook }).__lookout;
    l.map.jumpTo({ center: [121.245, 28.69], zoom: 13 });
    l.perf.reset();
  });
  await page.waitForTimeout(1500);

  // probe watcher: arrival of a probe's new state → first frame rendering it
  await page.evaluate(() => {
    type F = { properties: Record<string, unknown> };
    type Hook = {
      map: { project(ll: [number, number]): { x: number; y: number }; queryRenderedFeatures(p: [[number, number], [number, number]], o: object): F[] };
      store: { devices: Map<string, { lon: number; lat: number }> };
      perf: { arrivalListeners: ((now: number, list: { id: string; state: string }[]) => void)[] };
    };
    const l = (window as unknown as { __lookout: Hook }).__lookout;
    const pending = new Map<string, { at: number; want: string }>();
    const out: number[] = [];
    (window as unknown as { __probe: number[] }).__probe = out;
    l.perf.arrivalListeners.push((now, list) => {
      for (const s of list) if (s.id.startsWith('P-')) pending.set(s.id, { at: now, want: s.state });
    });
    const loop = () => {
      for (const [id, p] of pending) {
        if (p.want !== 'red') {
          pending.delete(id);
          continue;
        }
        const el = document.querySelector<HTMLElement>(`.alarm-mk[data-id="${id}"]`);
        if (el?.dataset.state === 'red') {
          out.push(performance.now() - p.at);
          pending.delete(id);
          continue;
        }
        const d = l.store.devices.get(id)!;
        const px = l.map.project([d.lon, d.lat]);
        const hit = l.map.queryRenderedFeatures([[px.x - 3, px.y - 3], [px.x + 3, px.y + 3]], { layers: ['devices'] })
          .find((f) => f.properties.id === id && f.properties.st === p.want);
        if (hit) {
          out.push(performance.now() - p.at);
          pending.delete(id);
        }
      }
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  });

  // phase 1: steady stream, no interaction
  await page.waitForTimeout((SECONDS * 1000) / 2);

  // phase 2: pan back and forth across the city with the stream running; record frame deltas
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __rec: boolean };
    w.__frames = [];
    w.__rec = true;
    let last = performance.now();
    const f = (t: number) => {
      if (!w.__rec) return;
      w.__frames.push(t - last);
      last = t;
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
  const box = (await page.locator('[data-testid=map]').boundingBox())!;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const panUntil = Date.now() + (SECONDS * 1000) / 2;
  let dir = 1;
  while (Date.now() < panUntil) {
    await page.mouse.move(cx - 250 * dir, cy);
    await page.mouse.down();
    for (let s = 1; s <= 30; s++) await page.mouse.move(cx - 250 * dir + (500 * dir * s) / 30, cy + Math.sin(s / 5) * 60);
    await page.mouse.up();
    dir = -dir;
  }
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __rec: boolean };
    w.__rec = false;
    return w.__frames.slice(1);
  });
  const probe = await page.evaluate(() => (window as unknown as { __probe: number[] }).__probe);
  const inPage = await page.evaluate(() => {
    const p = (window as unknown as { __lookout: { perf: { latencies: number[]; bridgeLatencies: number[]; pushes: number; devicesPushed: number } } }).__lookout.perf;
    return { latencies: p.latencies, bridge: p.bridgeLatencies, pushes: p.pushes, devicesPushed: p.devicesPushed };
  });
  const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null);

  clearInterval(gen);
  clearInterval(push);
  clearInterval(probeTimer);
  clearInterval(statsTimer);
  await browser.close();
  io.close();
  server.close();

  const result = {
    devices: devices.length,
    ratePerSec: RATE,
    maxAlarms: MAX_ALARMS,
    alarmsAtEnd: alarmed,
    seconds: SECONDS,
    pageReadyMs: Math.round(loadedIn),
    probeMarkerLatencyMs: { n: probe.length, median: r1(pct(probe, 0.5)), p95: r1(pct(probe, 0.95)), max: r1(Math.max(...probe)) },
    alarmMarkerMs: { n: inPage.bridge.length, median: r1(pct(inPage.bridge, 0.5)), p95: r1(pct(inPage.bridge, 0.95)) },
    clusteredLayerMs: { n: inPage.latencies.length, median: r1(pct(inPage.latencies, 0.5)), p95: r1(pct(inPage.latencies, 0.95)) },
    pushes: inPage.pushes,
    statesPushed: inPage.devicesPushed,
    panFrameMs: {
      n: frames.length,
      median: r1(pct(frames, 0.5)),
      p95: r1(pct(frames, 0.95)),
      max: r1(Math.max(...frames)),
      over50ms: frames.filter((f) => f > 50).length,
      fps: r1(1000 / (frames.reduce((a, b) => a + b, 0) / Math.max(1, frames.length))),
    },
    jsHeapMB: heap === null ? null : r1(heap / 1048576),
    note: 'headless Chromium, software GL (SwiftShader); synthetic hub on the same machine',
  };
  console.log(JSON.stringify(result, null, 2));
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'ui-map.json'), JSON.stringify(result, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
