// What `lookout demo` needs from the simulator: a fixed demo fleet and one call that runs the drill.
//
//   const fleet = demoFleet();                       // 2 000 devices, seed "huangyan-demo"
//   await registerDevices(fleet.devices);            // the hub's registry (id, kind, lon, lat, name,
//                                                    //   township, attributes, token); ignore `sim`
//   const run = await runDemoScenario({ url: `mqtt://127.0.0.1:${mqttPort}`, fleet, logger });
//   …
//   await run.stop();
//
// The defaults show incidents within a minute: gas-leak reaches blue after ≈3 s and red after ≈30 s at 60×,
// the typhoon's city reach goes blue → yellow → orange at ≈3–5 min, while untouched devices report at
// real-time cadence (backgroundSpeed 1) so the hub is not flooded.
import type { Logger } from 'pino';
import type { Clock } from '../schemas/index.js';
import { generateFleet, type Fleet } from './fleet.js';
import type { ScenarioNote } from './scenario.js';
import { createSimulator, type SimStats, type Simulator } from './simulator.js';

export const DEMO_SEED = 'huangyan-demo';
export const DEMO_SCENARIOS = ['gas-leak', 'typhoon-rainstorm', 'forest-fire-smoke'] as const;

/** The demo fleet (deterministic: same devices and tokens every time). */
export function demoFleet(size = 2000): Fleet {
  return generateFleet({ size, seed: DEMO_SEED });
}

export interface DemoOptions {
  /** the hub's MQTT listener, e.g. mqtt://127.0.0.1:1883 or ws://127.0.0.1:8080/mqtt */
  url: string;
  /** default demoFleet(); must already be registered with the hub (tokens included) */
  fleet?: Fleet;
  /** scenario names or paths; default DEMO_SCENARIOS */
  scenarios?: string[];
  /** default 60 */
  speed?: number;
  /** cadence of devices no scenario touches; default 1 (real time) */
  backgroundSpeed?: number;
  /** replay the drill when it ends; default true */
  loop?: boolean;
  logger?: Logger;
  clock?: Clock;
  /** called about once a second with the simulator's figures */
  onProgress?: (stats: SimStats) => void;
  /** narrative lines as scenario steps start ("宁溪黄岩溪水位陡涨…") */
  onNote?: (note: ScenarioNote & { scenario: string }) => void;
  /** wait until this share of devices is connected before resolving (default 0.95; 0 = do not wait) */
  waitConnectedShare?: number;
  /** give up waiting (without failing) after this long; default 60 s */
  waitConnectedMs?: number;
}

export interface DemoRun {
  simulator: Simulator;
  fleet: Fleet;
  stop(): Promise<void>;
}

/** Start the simulator with the demo drill against a running hub. Resolves once the fleet is (mostly) connected, or after `waitConnectedMs` anyway. */
export async function runDemoScenario(opts: DemoOptions): Promise<DemoRun> {
  const fleet = opts.fleet ?? demoFleet();
  const simulator = createSimulator({
    fleet,
    url: opts.url,
    scenario: opts.scenarios ?? [...DEMO_SCENARIOS],
    speed: opts.speed ?? 60,
    backgroundSpeed: opts.backgroundSpeed ?? 1,
    loop: opts.loop ?? true,
    drill: true,
    // start the drill once the connection ramp (200 connects/s) is through
    scenarioDelayMin: ((fleet.devices.length / 200 + 1) * (opts.speed ?? 60)) / 60,
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.onNote ? { onNote: opts.onNote } : {}),
  });
  await simulator.start();
  const timer = opts.onProgress ? setInterval(() => opts.onProgress?.(simulator.stats()), 1000) : null;
  timer?.unref();
  const share = opts.waitConnectedShare ?? 0.95;
  if (share > 0) {
    // A slow hub is not fatal: devices keep retrying with back-off, the drill runs for whoever is connected.
    await simulator.whenConnected(Math.ceil(fleet.devices.length * share), opts.waitConnectedMs ?? 60_000).catch((err: Error) => {
      opts.logger?.warn({ connected: simulator.stats().connected, devices: fleet.devices.length }, err.message);
    });
  }
  return {
    simulator,
    fleet,
    async stop() {
      if (timer) clearInterval(timer);
      await simulator.stop();
    },
  };
}
