// Security-test-plan T33 "slow body" (slowhttptest, slowloris): a client that sends the headers and part
// of the body, or part of the headers, and then stalls is answered 408 LOOKOUT_ERR_REQUEST_TIMEOUT and
// closed once LOOKOUT_HTTP_REQUEST_TIMEOUT_MS has passed, while other requests are served as usual.
// A short timeout keeps the test fast; nothing here measures how long anything took.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.js';

/** Opens a raw connection, writes `data`, then waits: resolves with everything the server sent before it closed. */
function stall(port: number, data: string): { opened: Promise<void>; closed: Promise<string> } {
  const socket = net.connect({ host: '127.0.0.1', port });
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write(data, () => resolve()));
    socket.once('error', reject);
  });
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(received)));
  return { opened, closed };
}

describe('T33: slow requests end with 408 at the request timeout', () => {
  let t: TestHub;
  let admin = '';
  beforeAll(async () => {
    t = await startTestHub({ env: { LOOKOUT_HTTP_REQUEST_TIMEOUT_MS: '1500' } });
    admin = (await t.login()).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('T33: a partial body, and partial headers, are answered 408 and closed; other requests still work meanwhile', async () => {
    const body = JSON.stringify({ id: 'SLOW-1', kind: 'gas', lon: 121.26, lat: 28.65 });
    const slowBody = stall(t.httpPort, [
      'POST /api/devices HTTP/1.1',
      'Host: 127.0.0.1',
      `Authorization: Bearer ${admin}`,
      'Content-Type: application/json',
      `Content-Length: ${body.length}`,
      '',
      body.slice(0, 10),
    ].join('\r\n'));
    const slowHeaders = stall(t.httpPort, 'GET /api/devices HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await Promise.all([slowBody.opened, slowHeaders.opened]);

    // the stalled connections hold no one up
    expect((await t.api('GET', '/healthz')).status).toBe(200);
    expect((await t.api('GET', '/api/devices', { token: admin })).status).toBe(200);

    for (const answer of await Promise.all([slowBody.closed, slowHeaders.closed])) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
      expect(json.error.code).toBe('LOOKOUT_ERR_REQUEST_TIMEOUT');
    }
    // the half-sent device was not registered, and the hub still serves
    expect((await t.api('GET', '/api/devices/SLOW-1', { token: admin })).status).toBe(404);
    expect((await t.api('GET', '/healthz')).status).toBe(200);
  });
});
