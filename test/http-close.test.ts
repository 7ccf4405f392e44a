// A client that stops reading a response must not hold the hub's shutdown open: the HTTP server lets in-flight
// requests drain for a bounded time, then cuts every connection (command-ui/server/server.ts close()).
// Real hub, a raw TCP client that asks for the console's largest file and never reads.
import { readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ensureWebBuilt } from './e2e/harness.js';
import { startTestHub } from './helpers/hub.js';

const ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../command-ui/web/dist/assets');

describe('hub close with a client that stopped reading', () => {
  it('closes, and the stalled connection is cut', { timeout: 60_000 }, async () => {
    await ensureWebBuilt();
    const biggest = readdirSync(ASSETS).map((f) => ({ f, size: statSync(path.join(ASSETS, f)).size })).sort((a, b) => b.size - a.size)[0]!;
    expect(biggest.size).toBeGreaterThan(1_000_000); // large enough that the hub's write is still pending when close() runs
    const t = await startTestHub();
    const sock = net.connect({ host: '127.0.0.1', port: t.httpPort });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.pause(); // never read: the hub's write stalls once the kernel buffers are full
    const firstBytes = new Promise<void>((r) => sock.once('readable', () => r()));
    sock.write(`GET /assets/${biggest.f} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await firstBytes; // the reply has started: the request is in flight
    await t.close(); // without the bounded drain this waits for the reader for ever (the test's timeout)
    // the hub is down and the connection ended (the kernel may still hold what the hub had sent)
    let received = 0;
    sock.on('data', (d: Buffer) => (received += d.length));
    const ended = new Promise<void>((r) => sock.once('close', () => r()));
    sock.resume();
    await ended;
    expect(received).toBeGreaterThan(0);
  });
});
