// Scenario 3 — connections: N devices connected at once, each reporting every `intervalS` seconds (QoS 1):
// hub RSS and CPU. One process may hold at most `ulimit -n` descriptors; the hub needs a few dozen for
// itself, so N is capped below the limit (printed) and the per-connection cost is given to extrapolate.
import { readFileSync } from 'node:fs';
import { sleep, table, writeResult } from '../lib/report.js';
import { startGenerator, startHubTarget } from '../lib/targets.js';

export interface ConnectionsParams {
  devices: number;
  intervalS: number;
  durationS: number;
  label?: string;
}

export interface ConnectionsResult {
  params: ConnectionsParams;
  devices: number;
  connected: number;
  fdLimit: number;
  connectSeconds: number;
  provisionSeconds: number;
  rssIdleMb: number;
  rssMb: number;
  heapMb: number;
  externalMb: number;
  kbPerDevice: number;
  cpuPct: number;
  elu: number;
  readingsPerSec: number;
  lost: number;
  /** incidents open at the end (quiet fleet: should be 0; device faults show up here) */
  openIncidents: number;
}

function fdLimit(): number {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

export async function connectionsScenario(p: ConnectionsParams): Promise<ConnectionsResult> {
  const limit = fdLimit();
  const devices = Math.min(p.devices, limit - 200);
  if (devices < p.devices) console.log(`connections: open-file limit is ${limit} per process (ulimit -n); running ${devices} devices instead of ${p.devices}`);
  const tp = performance.now();
  const [hub, gen] = await Promise.all([startHubTarget('lookout', { fleets: [{ devices, prefix: 'c' }] }), startGenerator()]);
  const provisionSeconds = (performance.now() - tp) / 1000; // hub start + registration (cached per fleet)
  try {
    const idle = await hub.stats();
    // every device reports every intervalS from the moment it is connected (a real fleet does not wait
    // for the others; devices silent for longer than 1.5 × their expected interval raise device faults)
    await gen.init({ host: '127.0.0.1', port: hub.mqttPort, qos: 1, window: 1, rate: 0, auth: true, tsBase: 0, minIntervalMs: p.intervalS * 1000 });
    await gen.start();
    const tc = performance.now();
    const c = await gen.connect({ devices, prefix: 'c' }, 100);
    const connectSeconds = (performance.now() - tc) / 1000;
    await sleep(Math.min(p.durationS < 10 ? 2 : 10, p.intervalS) * 1000); // a reporting round before measuring (quick: less)
    await hub.mark();
    const s0 = await hub.stats();
    let peakRss = 0;
    for (let s = 0; s < p.durationS; s++) {
      await sleep(1000);
      const h = await hub.stats();
      if (h) peakRss = Math.max(peakRss, h.rssMb);
    }
    const s1 = await hub.stats();
    await gen.stop();
    await gen.drain(20_000);
    await hub.flush();
    const g = await gen.stats();
    const hF = await hub.stats();
    const dt = s1!.wallMs / 1000;
    const result: ConnectionsResult = {
      params: p,
      devices,
      connected: c.connected,
      fdLimit: limit,
      connectSeconds,
      provisionSeconds,
      rssIdleMb: idle?.rssMb ?? NaN,
      rssMb: peakRss,
      heapMb: s1?.heapMb ?? NaN,
      externalMb: s1?.externalMb ?? NaN,
      kbPerDevice: idle ? ((peakRss - idle.rssMb) * 1024) / Math.max(1, c.connected) : NaN,
      cpuPct: s1 ? (100 * s1.cpuMs) / s1.wallMs : NaN,
      elu: s1?.elu ?? NaN,
      readingsPerSec: s0 && s1 ? (s1.stored - s0.stored) / dt : NaN,
      lost: g.readingsSent - (hF?.stored ?? 0),
      openIncidents: await hub.openIncidents(),
    };
    table(`connections — ${devices} devices, one reading every ${p.intervalS} s each, measured ${p.durationS} s`, [
      {
        devices: result.devices,
        connected: result.connected,
        connectS: result.connectSeconds,
        provisionS: result.provisionSeconds,
        rssIdleMb: result.rssIdleMb,
        rssMb: result.rssMb,
        heapMb: result.heapMb,
        externalMb: result.externalMb,
        kbPerDevice: result.kbPerDevice,
        cpuPct: result.cpuPct,
        elu: result.elu,
        readingsPerSec: result.readingsPerSec,
        lost: result.lost,
        openIncidents: result.openIncidents,
      },
    ]);
    writeResult(p.label ? `connections-${p.label}` : 'connections', result);
    return result;
  } finally {
    await gen.close();
    await hub.stop();
  }
}
