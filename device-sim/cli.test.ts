import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Aedes } from 'aedes';
import { afterAll, describe, expect, it } from 'vitest';
import { fleetCommand, simCommand } from './cli.js';
import { parseFleet } from './fleet.js';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  return { io: { stdout: out, stderr: err }, out: () => o, err: () => e };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lookout-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lookout fleet / lookout sim', () => {
  it('generates a fleet file that validates, the same for the same seed', async () => {
    const a = io();
    const file = path.join(dir, 'fleet.json');
    expect(await fleetCommand(['generate', '--size', '120', '--seed', 'cli', '--out', file], a.io)).toBe(0);
    expect(a.out()).toMatch(/wrote 120 devices/);
    const fleet = parseFleet(readFileSync(file, 'utf8'));
    expect(fleet.devices).toHaveLength(120);
    const b = io();
    expect(await fleetCommand(['validate', file], b.io)).toBe(0);
    expect(b.out()).toMatch(/valid · air \d+/);
    const again = path.join(dir, 'again.json');
    await fleetCommand(['generate', '--size', '120', '--seed', 'cli', '--out', again], io().io);
    expect(parseFleet(readFileSync(again, 'utf8')).devices).toEqual(fleet.devices);
  });

  it('explains bad usage with exit code 2', async () => {
    const a = io();
    expect(await fleetCommand(['generate', '--size', '120'], a.io)).toBe(2);
    expect(a.err()).toMatch(/--out FILE is required/);
    const b = io();
    expect(await simCommand(['--fleet', path.join(dir, 'fleet.json'), '--scenario', 'volcano'], b.io)).toBe(2);
    expect(b.err()).toMatch(/unknown scenario "volcano".*gas-leak/);
    const c = io();
    expect(await fleetCommand(['generate', '--mix', 'lava=1', '--out', path.join(dir, 'x.json')], c.io)).toBe(2);
  });

  it('runs a fleet against a broker for a set duration and reports what it sent', async () => {
    const fleet = parseFleet(readFileSync(path.join(dir, 'fleet.json'), 'utf8'));
    const tokens = new Map(fleet.devices.map((d) => [d.id, d.token]));
    const broker = await Aedes.createBroker({ authenticate: (c, u, p, done) => done(null, u === c.id && tokens.get(u ?? '') === p?.toString()) });
    let published = 0;
    broker.on('publish', (_p, client) => {
      if (client) published++;
    });
    const server = net.createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const a = io();
      const code = await simCommand(['--fleet', path.join(dir, 'fleet.json'), '--url', `mqtt://127.0.0.1:${port}`, '--speed', '120', '--duration', '3', '--limit', '40'], a.io);
      expect(code).toBe(0);
      expect(a.out()).toMatch(/simulating 40 devices/);
      expect(a.out()).toMatch(/duration reached: sent \d+ readings/);
      expect(a.err()).toMatch(/connected \d+\/40 · [\d.]+ readings\/s/);
      expect(published).toBeGreaterThan(40);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
    }
  });
});
