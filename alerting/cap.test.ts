import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../schemas/model.js';
import { capIdentifier, capTime, toAtomFeed, toCap } from './cap.js';

const XSD = readFileSync(new URL('./cap-schema/CAP-v1.2.xsd', import.meta.url), 'utf8');
const T0 = Date.UTC(2026, 6, 1, 2, 0, 0);

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-20260701-0007', category: 'gas', title: '燃气泄漏 · 甲烷浓度超限 · 东城路 <12号> & "阀井"', level: 'red', status: 'open', drill: false,
    township: '331003001', lon: 121.2612, lat: 28.6451, deviceIds: ['gas-1', 'gas-2'], openedAt: T0, updatedAt: T0, acknowledgedAt: null,
    closedAt: null, assignee: null,
    alarms: [{ id: 'ALM-000001', ruleId: 'gas.methane', deviceId: 'gas-1', incidentId: 'INC-20260701-0007', level: 'red', state: 'active', metric: 'methane', value: 60, message: '甲烷浓度超限: methane 60 %LEL >= 50 %LEL', raisedAt: T0, updatedAt: T0, clearedAt: null, drill: false, late: false }],
    ...over,
  };
}

async function validate(xml: string) {
  const r = await validateXML({ xml: { fileName: 'alert.xml', contents: xml }, schema: { fileName: 'CAP-v1.2.xsd', contents: XSD } });
  return r;
}

describe('CAP 1.2 export', () => {
  it('formats times as YYYY-MM-DDThh:mm:ss+08:00 and builds GB/T 35965.1 style identifiers', () => {
    expect(capTime(T0 + 123)).toBe('2026-07-01T10:00:00+08:00');
    expect(capIdentifier(incident(), T0)).toBe('33100300000000_20260701100000_7');
  });

  const cases: [string, Incident][] = [
    ['new real alert', incident()],
    ['updated (acknowledged)', incident({ status: 'acknowledged', updatedAt: T0 + 60_000, acknowledgedAt: T0 + 60_000 })],
    ['closed → Cancel', incident({ status: 'closed', updatedAt: T0 + 3_600_000, closedAt: T0 + 3_600_000 })],
    ['drill → Exercise', incident({ drill: true, level: 'orange', category: 'flood' })],
    ['device fault without position', incident({ category: 'device-fault', level: 'blue', lon: null, lat: null, township: null, alarms: [] })],
    ['system', incident({ category: 'system', level: 'yellow', deviceIds: [], alarms: [] })],
  ];
  for (const [name, inc] of cases) {
    it(`validates against CAP-v1.2.xsd: ${name}`, async () => {
      const xml = toCap(inc, { sender: 'lookout@yjj.huangyan.example', senderName: '黄岩区应急管理局', webBase: 'https://lookout.example/' });
      const r = await validate(xml);
      expect(r.errors.map((e) => e.message)).toEqual([]);
      expect(r.valid).toBe(true);
    });
  }

  it('the validator rejects a broken document (times with Z, wrong order)', async () => {
    const bad = toCap(incident(), { sender: 's@x' }).replace('+08:00</sent>', 'Z</sent>');
    expect((await validate(bad)).valid).toBe(false);
    const swapped = toCap(incident(), { sender: 's@x' }).replace(/<status>Actual<\/status>\n<msgType>Alert<\/msgType>/, '<msgType>Alert</msgType>\n<status>Actual</status>');
    expect((await validate(swapped)).valid).toBe(false);
  });

  // The CAP mapping of the four warning levels of the Emergency Response Law (docs/testing.md "Oracles": the
  // project's default, no official table exists), typed in again here rather than read from schemas/levels.ts:
  // every value of every level, and the colour and numeral parameters.
  const CAP_BY_LEVEL = {
    red: { severity: 'Extreme', urgency: 'Immediate', certainty: 'Observed', numeral: 'I', colour: '红色' },
    orange: { severity: 'Severe', urgency: 'Immediate', certainty: 'Observed', numeral: 'II', colour: '橙色' },
    yellow: { severity: 'Moderate', urgency: 'Expected', certainty: 'Likely', numeral: 'III', colour: '黄色' },
    blue: { severity: 'Minor', urgency: 'Expected', certainty: 'Possible', numeral: 'IV', colour: '蓝色' },
  } as const;
  const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);
  for (const [level, want] of Object.entries(CAP_BY_LEVEL)) {
    it(`maps ${level} to severity ${want.severity}, urgency ${want.urgency}, certainty ${want.certainty}, level ${want.numeral} ${want.colour}`, () => {
      const xml = toCap(incident({ level: level as Incident['level'] }), { sender: 's@x' });
      expect({ severity: tag(xml, 'severity'), urgency: tag(xml, 'urgency'), certainty: tag(xml, 'certainty') }).toEqual({ severity: [want.severity], urgency: [want.urgency], certainty: [want.certainty] });
      expect(xml).toContain(`<valueName>warningLevel</valueName><value>${want.numeral}</value>`);
      expect(xml).toContain(`<valueName>warningColor</valueName><value>${want.colour}</value>`);
      // a cancellation keeps the severity and certainty, its urgency is Past
      const cancel = toCap(incident({ level: level as Incident['level'], status: 'closed', updatedAt: T0 + 60_000, closedAt: T0 + 60_000 }), { sender: 's@x' });
      expect({ severity: tag(cancel, 'severity'), urgency: tag(cancel, 'urgency'), certainty: tag(cancel, 'certainty') }).toEqual({ severity: [want.severity], urgency: ['Past'], certainty: [want.certainty] });
    });
  }

  it('carries status, msgType, references, level parameters and the circle', () => {
    const alert = toCap(incident(), { sender: 's@x' });
    expect(alert).toContain('<status>Actual</status>');
    expect(alert).toContain('<msgType>Alert</msgType>');
    expect(alert).not.toContain('<references>');
    expect(alert).toContain('<valueName>warningLevel</valueName><value>I</value>');
    expect(alert).toContain('<valueName>warningColor</valueName><value>红色</value>');
    expect(alert).toContain('<severity>Extreme</severity>');
    expect(alert).toContain('<circle>28.645100,121.261200 0.5</circle>');
    expect(alert).toContain('&lt;12号&gt; &amp; &quot;阀井&quot;');
    const upd = toCap(incident({ status: 'dispatched', updatedAt: T0 + 90_000 }), { sender: 's@x' });
    expect(upd).toContain('<msgType>Update</msgType>');
    expect(upd).toContain('<references>s@x,33100300000000_20260701100000_7,2026-07-01T10:00:00+08:00</references>');
    const cancel = toCap(incident({ status: 'resolved', updatedAt: T0 + 90_000 }), { sender: 's@x' });
    expect(cancel).toContain('<msgType>Cancel</msgType>');
    expect(cancel).toContain('<responseType>AllClear</responseType>');
    expect(toCap(incident({ drill: true }), { sender: 's@x' })).toContain('<status>Exercise</status>');
  });

  it('Atom feed is well-formed and links each CAP document', async () => {
    const feed = toAtomFeed([incident(), incident({ id: 'INC-20260701-0008', drill: true })], {
      sender: 's@x', selfUrl: 'https://lookout.example/api/cap.atom', capUrl: (id) => `https://lookout.example/api/incidents/${id}/cap`,
    });
    const r = await validateXML({ xml: { fileName: 'feed.xml', contents: feed }, normalization: 'format' });
    expect(r.errors).toEqual([]);
    expect(feed).toContain('href="https://lookout.example/api/incidents/INC-20260701-0008/cap"');
    expect(feed.match(/<entry>/g)).toHaveLength(2);
  });
});
