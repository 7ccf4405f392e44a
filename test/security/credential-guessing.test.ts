// Second-pass finding (docs/security.md): guessing of session tokens and acknowledgement links (security-test-plan T33, MLPS 8.1.4.1 b).
// Per address, 20 refused credentials a minute; then 429 for the rest of the minute, the 41st guess included,
// while a known session from the same address and other addresses are served. Real hub, real HTTP and
// socket.io, real SQLite; virtual clock.
import { randomBytes } from 'node:crypto';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClockHub, type ClockHub } from './helpers.js';

type Err = { error: { code: string; message: string } };
const guess = () => randomBytes(32).toString('base64url');

describe('guessing session tokens and acknowledgement links', () => {
  let h: ClockHub;
  let admin: string;
  beforeAll(async () => {
    h = await startClockHub();
    admin = await h.login('admin', undefined, '127.0.7.9');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the 41st guessed bearer token is refused with 429; a known session from that address still works', async () => {
    const from = '127.0.7.1';
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await h.api('GET', '/api/devices', { token: guess(), from })).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const last = await h.api<Err>('GET', '/api/devices', { token: guess(), from });
    expect([last.status, last.body.error.code]).toEqual([429, 'LOOKOUT_ERR_RATE_LIMITED']);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    // a guessed cookie counts the same as a bearer token
    expect((await h.api('GET', '/api/devices', { from, headers: { cookie: `lookout_session=${guess()}` } })).status).toBe(429);
    // a real session from the same address (a colleague behind the same NAT), and another address
    expect((await h.api('GET', '/api/devices', { token: admin, from })).status).toBe(200);
    expect((await h.api('GET', '/api/devices', { token: guess(), from: '127.0.7.2' })).status).toBe(401);
    // logged and audited once for the episode
    const rows = h.hub.audit.list({ action: 'credential-guessing', limit: 10 });
    expect(rows.map((r) => r.ip)).toEqual([from]);
    // after the window the address gets ordinary answers again
    h.clock.advance(60_001);
    expect((await h.api('GET', '/api/devices', { token: guess(), from })).status).toBe(401);
  });

  it('a wrong password behind a valid session is not counted as a token guess', async () => {
    const from = '127.0.7.3';
    const token = await h.login('admin', undefined, from);
    for (let i = 0; i < 3; i++) await h.api('POST', '/api/auth/password', { token, from, body: { current: `Wrong-Guess-${i}`, next: 'Lantern-Orbit-7-River' } });
    for (let i = 0; i < 19; i++) expect((await h.api('GET', '/api/devices', { token: guess(), from })).status).toBe(401);
    expect((await h.api('GET', '/api/devices', { token: guess(), from })).status).toBe(401); // the 20th: still within budget
    expect((await h.api('GET', '/api/devices', { token: guess(), from })).status).toBe(429);
  });

  it('the 41st guessed acknowledgement link is refused with 429; other addresses still get the link page', async () => {
    const from = '127.0.7.4';
    const statuses: number[] = [];
    for (let i = 0; i < 41; i++) statuses.push((await h.api('GET', `/ack?t=${guess()}`, { from })).status);
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true);
    expect(statuses[40]).toBe(429);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect((await h.api('POST', `/ack?t=${guess()}`, { from, raw: 'note=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(429);
    expect((await h.api('GET', `/ack?t=${guess()}`, { from: '127.0.7.5' })).status).toBe(400);
  });

  it('socket.io handshakes with guessed tokens: the 21st is refused as rate limited, a real session still connects', async () => {
    // socket.io-client cannot choose its source address: this runs from 127.0.0.1, which no other test here uses
    const attempt = (token: string) =>
      new Promise<string>((resolve) => {
        const s = ioClient(`http://127.0.0.1:${h.port}`, { auth: { token }, transports: ['websocket'], reconnection: false });
        s.once('connect', () => {
          s.disconnect();
          resolve('connected');
        });
        s.once('connect_error', (e) => {
          s.disconnect();
          resolve(e.message);
        });
      });
    const answers: string[] = [];
    for (let i = 0; i < 21; i++) answers.push(await attempt(guess()));
    expect(answers.slice(0, 20).every((a) => a === 'LOOKOUT_ERR_AUTH_REQUIRED')).toBe(true);
    expect(answers[20]).toBe('LOOKOUT_ERR_RATE_LIMITED');
    expect(await attempt(admin)).toBe('connected');
  });
});
