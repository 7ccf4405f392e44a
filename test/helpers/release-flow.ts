// The whole release workflow in one call for hub tests (docs/release.md): the dispatcher drafts and submits,
// the leader signs off (签发) and publishes; each step must succeed. The virtual clock then moves past the
// second, so the next message gets an identifier of its own second.
import { expect } from 'vitest';
import type { PublishedMessage, ReleaseDraft } from '../../schemas/index.js';
import type { TestHub } from './hub.js';

export async function issueMessage(t: TestHub, tokens: { disp: string; leader: string }, clock: { advance(ms: number): void }, body: Record<string, unknown>): Promise<PublishedMessage> {
  const as = <T>(token: string, method: string, url: string, b: unknown) => t.api<T>(method, url, { token, body: b });
  const d = await as<ReleaseDraft>(tokens.disp, 'POST', '/api/releases', body);
  expect(d.status, d.text).toBe(201);
  expect((await as(tokens.disp, 'POST', `/api/releases/${d.body.id}/submit`, {})).status).toBe(200);
  expect((await as(tokens.leader, 'POST', `/api/releases/${d.body.id}/sign`, {})).status).toBe(200);
  const p = await as<PublishedMessage>(tokens.leader, 'POST', `/api/releases/${d.body.id}/publish`, {});
  expect(p.status, p.text).toBe(200);
  clock.advance(61_000);
  return p.body;
}
