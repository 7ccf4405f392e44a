// runDemoScenario is what `lookout demo` calls: a real aedes broker stands in for the hub here.
import net from 'node:net';
import { Aedes } from 'aedes';
import { describe, expect, it } from 'vitest';
import { runDemoScenario } from './demo.js';
import { generateFleet } from './fleet.js';
import { eventually } from '../test/helpers/eventually.js';

describe('runDemoScenario', () => {
  it('connects the fleet, narrates the drill and publishes drill data until stopped', async () => {
    const fleet = generateFleet({ size: 120, seed: 'demo-test' });
    const tokens = new Map(fleet.devices.map((d) => [d.id, d.token]));
    const broker = await Aedes.createBroker({ authenticate: (c, u, p, done) => done(null, u === c.id && tokens.get(u ?? '') === p?.toString()) });
    const payloads: Record<string, unknown>[] = [];
    broker.on('publish', (p, client) => {
      if (client && p.topic.endsWith('/telemetry')) payloads.push(JSON.parse(p.payload.toString()) as Record<string, unknown>);
    });
    const server = net.createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const notes: string[] = [];
    const progress: number[] = [];
    try {
      const run = await runDemoScenario({
        url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        fleet,
        scenarios: ['gas-leak'],
        speed: 300,
        onNote: (n) => notes.push(`${n.scenario}: ${n.text}`),
        onProgress: (s) => progress.push(s.connected),
      });
      expect(run.simulator.stats().connected).toBeGreaterThanOrEqual(114);
      await eventually(() => notes.length >= 3, { timeout: 40_000, message: 'three scenario notes' });
      expect(notes[0]).toMatch(/^gas-leak: /);
      expect(progress.length).toBeGreaterThan(0);
      await run.stop();
      expect(run.simulator.stats().connected).toBe(0);
      expect(payloads.length).toBeGreaterThan(0);
      expect(payloads.every((p) => p.drill === true)).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    }
  });
});
