// The documents of a published warning message: CAP 1.2 valid against the OASIS XSD (alerting/cap-schema/), the
// GB/T 35965.1-style XML valid against the profile's XSD (release/gb-schema/), identifiers of Annex A's pattern,
// Update/Cancel references, and a drill as status Exercise. A mutated document must fail each schema, so the
// validation is shown to bite.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import type { PublishedMessage } from '../schemas/index.js';
import { capDocument, gbDocument, IDENTIFIER_PATTERN, identifierPrefix, publishedFeed, releaseIdentifier } from './documents.js';

const CAP_XSD = readFileSync(new URL('../alerting/cap-schema/CAP-v1.2.xsd', import.meta.url), 'utf8');
const GB_XSD = readFileSync(new URL('./gb-schema/gb-35965-profile.xsd', import.meta.url), 'utf8');
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0); // 2026-07-01 10:00:00 Beijing
const OPTS = { senderName: '黄岩区应急管理局', adminCode: '331003', townshipNames: { '331003107': '院桥镇' }, districtName: '黄岩区' };

async function valid(xml: string, xsd: string, name: string) {
  const r = await validateXML({ xml: { fileName: 'doc.xml', contents: xml }, schema: { fileName: name, contents: xsd } });
  return { valid: r.valid, errors: r.errors.map((e) => e.message) };
}

function message(over: Partial<PublishedMessage> = {}): PublishedMessage {
  const prefix = identifierPrefix('331003', '000');
  return {
    identifier: releaseIdentifier(prefix, T0, 0), draftId: 'REL-20260701-0001', sender: 'lookout@yjj.huangyan.gov.cn', sent: T0, status: 'Actual', msgType: 'Alert',
    references: [], source: { kind: 'incident', id: 'INC-20260701-0001' }, drill: false, signedBy: 'leader', publishedBy: 'leader',
    headline: '院桥镇 燃气泄漏 红色预警', description: '院桥镇某路段燃气浓度超限', instruction: '请周边群众立即撤离，远离明火', townships: ['331003107'],
    polygon: [[28.56, 121.3], [28.57, 121.3], [28.57, 121.31], [28.56, 121.3]], level: 'red', category: 'gas', urgency: 'Immediate', certainty: 'Observed',
    expires: T0 + 6 * 3_600_000, scope: 'Public', ...over,
  };
}

describe('release documents', () => {
  it('identifiers are GB/T 35965.1 Annex A: 31 characters, area code 331003, Beijing time, one sequence digit', () => {
    const id = releaseIdentifier(identifierPrefix('331003', '000'), T0, 7);
    expect(id).toBe('33100300000000_20260701100000_7');
    expect(id).toHaveLength(31);
    expect(id).toMatch(IDENTIFIER_PATTERN);
    expect(() => releaseIdentifier('33100300000000', T0, 10)).toThrow(RangeError);
  });

  it('an Alert, its Update and the Cancel are valid CAP 1.2 and valid GB/T 35965.1-style XML', async () => {
    const alert = message();
    const update = message({ identifier: releaseIdentifier('33100300000000', T0 + 60_000, 0), sent: T0 + 60_000, msgType: 'Update', references: [{ sender: alert.sender, identifier: alert.identifier, sent: alert.sent }] });
    const cancel = message({
      identifier: releaseIdentifier('33100300000000', T0 + 120_000, 0), sent: T0 + 120_000, msgType: 'Cancel', polygon: null, instruction: '',
      references: [...update.references, { sender: update.sender, identifier: update.identifier, sent: update.sent }],
    });
    for (const m of [alert, update, cancel]) {
      expect(await valid(capDocument(m, OPTS), CAP_XSD, 'CAP-v1.2.xsd'), `CAP ${m.msgType}`).toEqual({ valid: true, errors: [] });
      expect(await valid(gbDocument(m, OPTS), GB_XSD, 'gb.xsd'), `GB ${m.msgType}`).toEqual({ valid: true, errors: [] });
    }
    const cap = capDocument(cancel, OPTS);
    expect(cap).toContain(`<references>lookout@yjj.huangyan.gov.cn,${alert.identifier},2026-07-01T10:00:00+08:00 lookout@yjj.huangyan.gov.cn,${update.identifier},2026-07-01T10:01:00+08:00</references>`);
    expect(cap).toContain('<urgency>Past</urgency>');
    expect(cap).toContain('<responseType>AllClear</responseType>');
    expect(gbDocument(cancel, OPTS)).toContain(`<references>${alert.identifier} ${update.identifier}</references>`);
    expect(capDocument(alert, OPTS)).toContain('<scope>Public</scope>');
    expect(capDocument(alert, OPTS)).toContain('<polygon>28.56,121.3 28.57,121.3 28.57,121.31 28.56,121.3</polygon>');
  });

  it('a drill message is status Exercise, marked 【演练】, in both documents', async () => {
    const m = message({ drill: true, status: 'Exercise' });
    const cap = capDocument(m, OPTS);
    expect(cap).toContain('<status>Exercise</status>');
    expect(cap).toContain('<headline>【演练】院桥镇 燃气泄漏 红色预警</headline>');
    expect(gbDocument(m, OPTS)).toContain('<status>Exercise</status>');
    expect((await valid(cap, CAP_XSD, 'CAP-v1.2.xsd')).valid).toBe(true);
  });

  it('the schemas bite: a wrong identifier, a missing element or a wrong order fails', async () => {
    const gb = gbDocument(message(), OPTS);
    expect((await valid(gb.replace(/<identifier>[^<]+/, '<identifier>331003_20260701100000_0'), GB_XSD, 'gb.xsd')).valid).toBe(false);
    expect((await valid(gb.replace(/<senderCode>[^<]+<\/senderCode>\n/, ''), GB_XSD, 'gb.xsd')).valid).toBe(false);
    const cap = capDocument(message(), OPTS);
    expect((await valid(cap.replace('<scope>Public</scope>', '<scope>Everyone</scope>'), CAP_XSD, 'CAP-v1.2.xsd')).valid).toBe(false);
    expect((await valid(cap.replace(/<status>Actual<\/status>\n(<msgType>Alert<\/msgType>)/, '$1\n<status>Actual</status>'), CAP_XSD, 'CAP-v1.2.xsd')).valid).toBe(false);
  });

  it('the Atom feed has one entry per message, linking its CAP document', async () => {
    const feed = publishedFeed([message()], { ...OPTS, selfUrl: '/api/releases/feed.atom', capUrl: (id) => `/api/releases/published/${id}/cap` });
    expect(feed.match(/<entry>/g)).toHaveLength(1);
    expect(feed).toContain('href="/api/releases/published/33100300000000_20260701100000_0/cap"');
    expect((await validateXML({ xml: { fileName: 'feed.xml', contents: feed }, normalization: 'format' })).valid).toBe(true);
  });
});
