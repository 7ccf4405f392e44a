// The fault proxy itself, against an echo server: each toggle does what network-faults.test.ts relies on.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { eventually } from './hub.js';

describe('fault proxy', () => {
  let echo: net.Server;
  let proxy: FaultProxy;
  const tapped: string[] = [];
  beforeAll(async () => {
    echo = net.createServer((s) => {
      s.on('error', () => {}); // the proxy resets it
      s.pipe(s);
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    proxy = await startFaultProxy({ target: { port: (echo.address() as net.AddressInfo).port }, tap: (_c, dir, b) => tapped.push(`${dir}:${b.toString()}`) });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  function client() {
    const s = net.connect({ port: proxy.port, host: '127.0.0.1' });
    let got = '';
    let error: string | null = null;
    let closed = false;
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    s.on('close', () => (closed = true));
    return { s, got: () => got, error: () => error, closed: () => closed };
  }

  it('forwards both ways and taps what passes', async () => {
    const c = client();
    c.s.write('hello');
    await eventually(() => c.got() === 'hello', { timeout: 5000, message: 'echo' });
    expect(tapped).toEqual(expect.arrayContaining(['up:hello', 'down:hello']));
    c.s.end();
    await eventually(() => c.closed(), { timeout: 5000, message: 'clean close' });
    expect(c.error()).toBeNull();
  });

  it('latency keeps the order of chunks', async () => {
    const c = client();
    proxy.latency(50);
    for (let i = 0; i < 20; i++) c.s.write(`${i},`);
    await eventually(() => c.got().split(',').length === 21, { timeout: 5000, message: 'all chunks' });
    proxy.latency(0);
    expect(c.got()).toBe(Array.from({ length: 20 }, (_, i) => `${i},`).join(''));
    expect(proxy.stats().delayed).toBeGreaterThan(0);
    c.s.destroy();
  });

  it('resetPeer() resets every open connection (ECONNRESET)', async () => {
    const c = client();
    c.s.write('x');
    await eventually(() => c.got() === 'x', { timeout: 5000, message: 'echo' });
    expect(proxy.resetPeer()).toBeGreaterThanOrEqual(1);
    await eventually(() => c.closed(), { timeout: 5000, message: 'reset' });
    expect(c.error()).toBe('ECONNRESET');
  });

  it('partition holds data without closing and delivers it on heal; a side that gave up is reset', async () => {
    const a = client();
    const b = client();
    a.s.write('1');
    b.s.write('1');
    await eventually(() => a.got() === '1' && b.got() === '1', { timeout: 5000, message: 'echo' });
    proxy.partition(true);
    a.s.write('2');
    b.s.write('2');
    const c = client(); // accepted during the partition: reaches the server only after the heal
    c.s.write('3');
    await eventually(() => proxy.stats().held >= 3, { timeout: 5000, message: 'held chunks' });
    expect(a.got()).toBe('1');
    b.s.destroy(); // b's keep-alive gives up during the partition
    await eventually(() => proxy.stats().heldCloses >= 1, { timeout: 5000, message: 'held close' });
    expect(a.closed()).toBe(false);
    proxy.partition(false);
    await eventually(() => a.got() === '12' && c.got() === '3', { timeout: 5000, message: 'delivery on heal' });
    a.s.destroy();
    c.s.destroy();
  });

  it('refuse(true) resets new connections until refuse(false)', async () => {
    proxy.refuse(true);
    const c = client();
    await eventually(() => c.closed(), { timeout: 5000, message: 'refused' });
    expect(c.error()).toBe('ECONNRESET');
    proxy.refuse(false);
    const d = client();
    d.s.write('ok');
    await eventually(() => d.got() === 'ok', { timeout: 5000, message: 'accepted again' });
    d.s.destroy();
  });
});
