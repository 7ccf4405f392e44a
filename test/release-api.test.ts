// Information release through the real hub (real aedes, fastify, SQLite): a red gas incident over MQTT is drafted
// into a warning message by a dispatcher, submitted, signed off (签发) and published by the duty leader; its CAP
// document is valid against the OASIS XSD and its GB/T 35965.1-style XML against the profile XSD, with an Annex A
// identifier; an Update references the Alert and a Cancel both; the Atom feed lists published messages only;
// a viewer or a dispatcher cannot sign off; a drill's message is status Exercise; township users see their own.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { createVirtualClock } from '../alerting/index.js';
import type { Incident, PublishedMessage, ReleaseDraft } from '../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';
import { issueMessage } from './helpers/release-flow.js';

const CAP_XSD = readFileSync(new URL('../alerting/cap-schema/CAP-v1.2.xsd', import.meta.url), 'utf8');
const GB_XSD = readFileSync(new URL('../release/gb-schema/gb-35965-profile.xsd', import.meta.url), 'utf8');
const ID = /^331003[0-9]{3}00000_[0-9]{14}_[0-9]$/;
const YQ = '331003107';
const NX = '331003101';

async function xsdErrors(xml: string, xsd: string): Promise<string[]> {
  const r = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema: { fileName: 'schema.xsd', contents: xsd } });
  return r.errors.map((e) => e.message);
}

describe('release: draft → submit → sign off → publish', () => {
  const clock = createVirtualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let t: TestHub;
  const tok = {} as Record<'admin' | 'leader' | 'disp' | 'viewer' | 'nx', string>;
  let real: Incident;
  let drill: Incident;
  const published: PublishedMessage[] = [];

  async function redGas(id: string, township: string, lon: number, isDrill: boolean): Promise<Incident> {
    const token = await t.addDevice(id, 'gas', { lon, lat: 28.56, township, attributes: { nominalPressure: 0.2 } });
    const c = await t.mqttConnect(id, token);
    await publish(c, `lookout/gas/${id}/telemetry`, { ts: clock.now(), values: { methane: 60, pressure: 0.2 }, ...(isDrill ? { drill: true } : {}) });
    const inc = await eventually(async () => t.hub.alerting.incidents.list({ status: 'open' }).find((i) => i.deviceIds.includes(id)), 10_000, `incident of ${id}`);
    c.end(true);
    return inc;
  }
  const api = <T>(who: keyof typeof tok, method: string, url: string, body?: unknown) => t.api<T>(method, url, { token: tok[who], ...(body !== undefined ? { body } : {}) });

  /** dispatcher drafts and submits, the leader signs and publishes */
  async function issue(body: Record<string, unknown>): Promise<PublishedMessage> {
    const p = await issueMessage(t, tok, clock, body);
    published.push(p);
    return p;
  }

  beforeAll(async () => {
    t = await startTestHub({ clock });
    tok.admin = (await t.login()).token;
    const users: [string, string, string, string[] | null][] = [
      ['leader', 'Leader-Pass-2026!', 'admin', null],
      ['disp', 'Dispatch-Pass-2026!', 'dispatcher', null],
      ['viewer', 'Viewer-Pass-2026!', 'viewer', null],
      ['nx', 'Ningxi-Pass-2026!', 'dispatcher', [NX]],
    ];
    for (const [username, password, role, scope] of users) {
      const r = await t.api('POST', '/api/users', { token: tok.admin, body: { username, password, role, ...(scope ? { scope } : {}) } });
      expect(r.status, r.text).toBe(201);
      tok[username as keyof typeof tok] = (await t.login(username, password)).token;
    }
    real = await redGas('GAS-YQ-1', YQ, 121.26, false);
    drill = await redGas('GAS-YQ-2', YQ, 121.27, true);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a viewer or a dispatcher cannot sign off; the drafter cannot sign their own; the leader signs and publishes', async () => {
    expect((await api('viewer', 'POST', '/api/releases', { incidentId: real.id })).status).toBe(403);
    const d = await api<ReleaseDraft>('disp', 'POST', '/api/releases', { incidentId: real.id, instruction: '请周边群众立即撤离，远离明火' });
    expect(d.status, d.text).toBe(201);
    expect(d.body).toMatchObject({ state: 'draft', msgType: 'Alert', townships: [YQ], level: 'red', category: 'gas', scope: 'Public', drill: false, source: { kind: 'incident', id: real.id } });
    // publishing before sign-off is refused
    expect((await api('leader', 'POST', `/api/releases/${d.body.id}/publish`, {})).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_RELEASE_TRANSITION' } });
    expect((await api('disp', 'POST', `/api/releases/${d.body.id}/submit`, {})).body).toMatchObject({ state: 'submitted', submittedBy: 'disp' });
    for (const who of ['viewer', 'disp'] as const) {
      const r = await api(who, 'POST', `/api/releases/${d.body.id}/sign`, {});
      expect(r.status, `${who} signs`).toBe(403);
      expect(r.body).toMatchObject({ error: { code: 'LOOKOUT_ERR_FORBIDDEN' } });
    }
    expect((await api('disp', 'POST', `/api/releases/${d.body.id}/publish`, {})).status).toBe(403);
    expect((await api<ReleaseDraft>('leader', 'GET', `/api/releases/${d.body.id}`)).body.state).toBe('submitted');

    const own = await api<ReleaseDraft>('leader', 'POST', '/api/releases', { incidentId: real.id });
    expect((await api('leader', 'POST', `/api/releases/${own.body.id}/submit`, {})).status).toBe(200);
    expect((await api('leader', 'POST', `/api/releases/${own.body.id}/sign`, {})).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_RELEASE_SELF_SIGN' } });
    expect((await api('leader', 'POST', `/api/releases/${own.body.id}/withdraw`, { note: '重复' })).body).toMatchObject({ state: 'withdrawn' });

    expect((await api('leader', 'POST', `/api/releases/${d.body.id}/sign`, {})).body).toMatchObject({ state: 'signed', signedBy: 'leader' });
    const p = await api<PublishedMessage>('leader', 'POST', `/api/releases/${d.body.id}/publish`, {});
    expect(p.status, p.text).toBe(200);
    expect(p.body).toMatchObject({ status: 'Actual', msgType: 'Alert', scope: 'Public', references: [], signedBy: 'leader', publishedBy: 'leader', sender: t.config.capSender });
    expect(p.body.identifier).toMatch(ID);
    published.push(p.body);
    clock.advance(61_000);
    // published: no further step
    expect((await api('leader', 'POST', `/api/releases/${d.body.id}/withdraw`, {})).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_RELEASE_TRANSITION' } });

    const trail = (await t.hub.audit.list({ limit: 200 })).filter((e) => e.target === d.body.id).map((e) => `${e.user} ${e.action}`);
    expect(trail).toEqual(expect.arrayContaining(['disp release-draft', 'disp release-submit', 'leader release-sign', 'leader release-publish']));
  });

  it('the published Alert is valid CAP 1.2 (OASIS XSD) and valid GB/T 35965.1-style XML with an Annex A identifier', async () => {
    const alert = published[0]!;
    const cap = await t.api('GET', `/api/releases/published/${alert.identifier}/cap`, { token: tok.viewer });
    expect(cap.headers.get('content-type')).toContain('application/cap+xml');
    expect(await xsdErrors(cap.text, CAP_XSD)).toEqual([]);
    expect(cap.text).toContain(`<identifier>${alert.identifier}</identifier>`);
    expect(cap.text).toContain('<scope>Public</scope>');
    expect(cap.text).toContain('<instruction>请周边群众立即撤离，远离明火</instruction>');
    const gb = await t.api('GET', `/api/releases/published/${alert.identifier}/gb`, { token: tok.viewer });
    expect(await xsdErrors(gb.text, GB_XSD)).toEqual([]);
    expect(/<identifier>([^<]+)<\/identifier>/.exec(gb.text)![1]).toMatch(ID);
    expect(gb.text).toContain(`<geocode>${YQ}</geocode>`);
  });

  it('an Update references the Alert; a Cancel references both; each is valid against the XSD', async () => {
    const alert = published[0]!;
    const update = await issue({ updates: alert.identifier, level: 'orange', headline: '院桥镇 燃气泄漏 降为橙色预警' });
    expect(update).toMatchObject({ msgType: 'Update', level: 'orange', references: [{ identifier: alert.identifier, sender: alert.sender, sent: alert.sent }] });
    const cancel = await issue({ updates: update.identifier, msgType: 'Cancel', headline: '院桥镇 燃气泄漏 预警解除' });
    expect(cancel.msgType).toBe('Cancel');
    expect(cancel.references.map((r) => r.identifier)).toEqual([alert.identifier, update.identifier]);
    const cap = (await t.api('GET', `/api/releases/published/${cancel.identifier}/cap`, { token: tok.viewer })).text;
    expect(await xsdErrors(cap, CAP_XSD)).toEqual([]);
    const refs = /<references>([^<]+)<\/references>/.exec(cap)![1]!.split(' ').map((r) => r.split(',')[1]);
    expect(refs).toEqual([alert.identifier, update.identifier]);
    // nothing follows a Cancel
    expect((await api('disp', 'POST', '/api/releases', { updates: cancel.identifier })).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_RELEASE_TRANSITION' } });
  });

  it("a drill's message is status Exercise and marked 【演练】", async () => {
    const m = await issue({ incidentId: drill.id });
    expect(m).toMatchObject({ status: 'Exercise', drill: true });
    const cap = (await t.api('GET', `/api/releases/published/${m.identifier}/cap`, { token: tok.viewer })).text;
    expect(cap).toContain('<status>Exercise</status>');
    expect(cap).toMatch(/<headline>【演练】/);
    expect(await xsdErrors(cap, CAP_XSD)).toEqual([]);
    // an Update of a drill message stays an exercise
    expect((await issue({ updates: m.identifier })).status).toBe('Exercise');
  });

  it('the Atom feed lists published messages only: drafts, submitted, signed and withdrawn ones never', async () => {
    const pending = await api<ReleaseDraft>('disp', 'POST', '/api/releases', { incidentId: real.id, headline: '未签发 草稿' });
    expect((await api('disp', 'POST', `/api/releases/${pending.body.id}/submit`, {})).status).toBe(200);
    expect((await api('leader', 'POST', `/api/releases/${pending.body.id}/sign`, {})).status).toBe(200); // signed, not published
    await api('disp', 'POST', '/api/releases', { incidentId: real.id, headline: '仅草稿' });
    const feed = await t.api('GET', '/api/releases/feed.atom', { token: tok.viewer });
    expect(feed.headers.get('content-type')).toContain('application/atom+xml');
    const entries = [...feed.text.matchAll(/<id>urn:lookout:release:([^<]+)<\/id>/g)].map((m) => m[1]);
    expect(entries.sort()).toEqual(published.map((p) => p.identifier).sort());
    expect(feed.text).not.toContain('未签发');
    expect(feed.text).not.toContain('仅草稿');
    const listed = await api<PublishedMessage[]>('viewer', 'GET', '/api/releases/published');
    expect(listed.body.map((p) => p.identifier).sort()).toEqual(published.map((p) => p.identifier).sort());
  });

  it('a township user sees and drafts only for its townships', async () => {
    const list = await api<ReleaseDraft[]>('nx', 'GET', '/api/releases');
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    expect((await api('nx', 'GET', `/api/releases/${published[0]!.draftId}`)).status).toBe(404);
    expect((await api('nx', 'POST', '/api/releases', { incidentId: real.id })).status).toBe(404);
    expect((await api('nx', 'POST', '/api/releases', { headline: '宁溪镇 暴雨', level: 'blue', category: 'rainstorm', townships: [YQ] })).body).toMatchObject({ error: { code: 'LOOKOUT_ERR_OUT_OF_SCOPE' } });
    const own = await api<ReleaseDraft>('nx', 'POST', '/api/releases', { headline: '宁溪镇 暴雨', level: 'blue', category: 'rainstorm', townships: [NX] });
    expect(own.status, own.text).toBe(201);
    expect((await api<PublishedMessage[]>('nx', 'GET', '/api/releases/published')).body).toEqual([]);
  });
});
