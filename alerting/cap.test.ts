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
    // GB/T 35965.1 Annex A: 31 characters, the last a single digit whatever the incident number
    const id = capIdentifier(incident({ id: 'INC-20260701-0123' }), T0);
    expect(id).toBe('33100300000000_20260701100000_3');
    expect(id).toHaveLength(31);
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
  // project's default, no official table exists), typed in again here rather than read from the code: severity
  // from the level; certainty and urgency from what the warning rests on (CAP 1.2 §3.2.2: a measured
  // exceedance is Observed, a projection Likely); the colour and numeral parameters.
  const CAP_BY_LEVEL = {
    red: { severity: 'Extreme', observed: ['Immediate', 'Observed'], projected: ['Immediate', 'Likely'], numeral: 'I', colour: '红色' },
    orange: { severity: 'Severe', observed: ['Immediate', 'Observed'], projected: ['Expected', 'Likely'], numeral: 'II', colour: '橙色' },
    yellow: { severity: 'Moderate', observed: ['Expected', 'Observed'], projected: ['Expected', 'Likely'], numeral: 'III', colour: '黄色' },
    blue: { severity: 'Minor', observed: ['Expected', 'Observed'], projected: ['Expected', 'Likely'], numeral: 'IV', colour: '蓝色' },
  } as const;
  const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);
  const at = (level: string, over: Partial<Incident> = {}) => {
    const base = incident(over);
    return { ...base, level: level as Incident['level'], alarms: base.alarms.map((a) => ({ ...a, level: level as Incident['level'] })) };
  };
  const projected = (ruleId: string) => ruleId === 'geo.tangent-angle';
  for (const [level, want] of Object.entries(CAP_BY_LEVEL)) {
    it(`maps ${level} to severity ${want.severity}; observed ${want.observed.join('/')}, projected ${want.projected.join('/')}; level ${want.numeral} ${want.colour}`, () => {
      const xml = toCap(at(level), { sender: 's@x', projected });
      expect({ severity: tag(xml, 'severity'), urgency: tag(xml, 'urgency'), certainty: tag(xml, 'certainty') }).toEqual({ severity: [want.severity], urgency: [want.observed[0]], certainty: [want.observed[1]] });
      expect(xml).toContain(`<valueName>warningLevel</valueName><value>${want.numeral}</value>`);
      expect(xml).toContain(`<valueName>warningColor</valueName><value>${want.colour}</value>`);
      const geo = at(level, { category: 'geo' });
      geo.alarms = geo.alarms.map((a) => ({ ...a, ruleId: 'geo.tangent-angle' }));
      const proj = toCap(geo, { sender: 's@x', projected });
      expect({ urgency: tag(proj, 'urgency'), certainty: tag(proj, 'certainty') }).toEqual({ urgency: [want.projected[0]], certainty: [want.projected[1]] });
      // one measured alarm at the incident's level makes it observed
      const mixed = { ...geo, alarms: [...geo.alarms, { ...geo.alarms[0]!, id: 'ALM-000002', ruleId: 'rainstorm.signal' }] };
      expect(tag(toCap(mixed, { sender: 's@x', projected }), 'certainty')).toEqual(['Observed']);
      // a cancellation keeps the severity and certainty, its urgency is Past
      const cancel = toCap(at(level, { status: 'closed', updatedAt: T0 + 60_000, closedAt: T0 + 60_000 }), { sender: 's@x', projected });
      expect({ severity: tag(cancel, 'severity'), urgency: tag(cancel, 'urgency'), certainty: tag(cancel, 'certainty') }).toEqual({ severity: [want.severity], urgency: ['Past'], certainty: [want.observed[1]] });
    });
  }

  it('an Update or Cancel references every earlier message of the incident (CAP 1.2 §3.2.1), valid against the XSD', async () => {
    const entry = (ts: number, type: NonNullable<Incident['timeline']>[number]['type']) => ({ ts, type, user: null, note: null, level: null, alarmId: null, deviceId: null, detail: null });
    const timeline = [entry(T0, 'opened'), entry(T0 + 5_000, 'alarm-raised'), entry(T0 + 60_000, 'acknowledged'), entry(T0 + 90_400, 'level-changed'), entry(T0 + 120_000, 'resolved')];
    const alertOnly = toCap(incident({ timeline: timeline.slice(0, 2), updatedAt: T0 + 5_000 }), { sender: 's@x' });
    expect(alertOnly).toContain('<msgType>Alert</msgType>'); // an alarm joining is no new message
    expect(alertOnly).toContain('<sent>2026-07-01T10:00:00+08:00</sent>');
    const upd = toCap(incident({ status: 'acknowledged', timeline: timeline.slice(0, 4), updatedAt: T0 + 90_400 }), { sender: 's@x' });
    expect(upd).toContain('<msgType>Update</msgType>');
    expect(upd).toContain('<identifier>33100300000000_20260701100130_7</identifier>');
    expect(tag(upd, 'references')).toEqual(['s@x,33100300000000_20260701100000_7,2026-07-01T10:00:00+08:00 s@x,33100300000000_20260701100100_7,2026-07-01T10:01:00+08:00']);
    const cancel = toCap(incident({ status: 'resolved', timeline, updatedAt: T0 + 120_000 }), { sender: 's@x' });
    expect(cancel).toContain('<msgType>Cancel</msgType>');
    expect(cancel).toContain('<sent>2026-07-01T10:02:00+08:00</sent>');
    expect(tag(cancel, 'references')[0]!.split(' ')).toEqual([
      's@x,33100300000000_20260701100000_7,2026-07-01T10:00:00+08:00',
      's@x,33100300000000_20260701100100_7,2026-07-01T10:01:00+08:00',
      's@x,33100300000000_20260701100130_7,2026-07-01T10:01:30+08:00',
    ]);
    const r = await validate(cancel);
    expect(r.errors.map((e) => e.message)).toEqual([]);
  });

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
