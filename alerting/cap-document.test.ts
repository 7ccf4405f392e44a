// The whole CAP 1.2 document and Atom feed, line by line, for one incident that exercises every optional part
// (drill, update with references, sender name, web link, township name, two alarms one cleared, devices, circle).
// The expected text is typed in from the CAP 1.2 element order (CAP-v1.2.xsd sequences, CAP 1.2 §3.2), the
// level mapping (DOMAIN.md) and GB/T 35965.1 Annex A identifiers; cap.test.ts validates the schema, this test the
// content. Then the per-category tables (CAP 1.2 §3.2.2 category, event, default circle radius, responseType).
import { describe, expect, it } from 'vitest';
import type { Incident, IncidentCategory } from '../schemas/model.js';

type Level = Incident['level'];
import { capIdentifier, capTime, toAtomFeed, toCap, xmlEscape } from './cap.js';

const T0 = Date.UTC(2026, 6, 1, 2, 0, 0); // 2026-07-01 10:00:00 Beijing

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'INC-20260701-0003', category: 'flood', title: '积水 · 北城街道', level: 'orange', status: 'acknowledged', drill: true,
    township: '331003002', lon: 121.25, lat: 28.65, deviceIds: ['flood-1', 'flood-2'], openedAt: T0, updatedAt: T0 + 61_500, acknowledgedAt: T0 + 61_500,
    closedAt: null, assignee: null,
    alarms: [
      { id: 'ALM-000002', ruleId: 'flood.depth', deviceId: 'flood-2', incidentId: 'INC-20260701-0003', level: 'orange', state: 'cleared', metric: 'depth', value: 0.3, message: '积水 0.3 m', raisedAt: T0 + 5000, updatedAt: T0, clearedAt: null, drill: true, late: false },
      { id: 'ALM-000001', ruleId: 'flood.depth', deviceId: 'flood-1', incidentId: 'INC-20260701-0003', level: 'yellow', state: 'active', metric: 'depth', value: 0.2, message: '积水 0.2 m', raisedAt: T0 - 30_000, updatedAt: T0, clearedAt: null, drill: true, late: false },
    ],
    ...over,
  };
}

const OPTS = { sender: 'lookout@x.example', senderName: '黄岩区应急管理局', adminCode: '3310', orgCode: '12', webBase: 'https://l.example/', townshipNames: { '331003002': '北城街道' } };

const EXPECTED_CAP = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
<identifier>00331001200000_20260701100101_3</identifier>
<sender>lookout@x.example</sender>
<sent>2026-07-01T10:01:01+08:00</sent>
<status>Exercise</status>
<msgType>Update</msgType>
<source>Lookout</source>
<scope>Restricted</scope>
<restriction>应急指挥内部 (emergency command only)</restriction>
<note>演练 (drill) — not a real emergency</note>
<references>lookout@x.example,00331001200000_20260701100000_3,2026-07-01T10:00:00+08:00</references>
<incidents>INC-20260701-0003</incidents>
<info>
<language>zh-CN</language>
<category>Met</category>
<event>洪水</event>
<responseType>Prepare</responseType>
<urgency>Immediate</urgency>
<severity>Severe</severity>
<certainty>Observed</certainty>
<eventCode><valueName>lookoutCategory</valueName><value>flood</value></eventCode>
<effective>2026-07-01T10:00:00+08:00</effective>
<onset>2026-07-01T09:59:30+08:00</onset>
<senderName>黄岩区应急管理局</senderName>
<headline>【演练】橙色预警 积水 · 北城街道</headline>
<description>2026-07-01T10:00:05+08:00 flood-2 橙色预警 (已解除) 积水 0.3 m
2026-07-01T09:59:30+08:00 flood-1 黄色预警 积水 0.2 m</description>
<web>https://l.example/incidents/INC-20260701-0003</web>
<parameter><valueName>warningLevel</valueName><value>II</value></parameter>
<parameter><valueName>warningColor</valueName><value>橙色</value></parameter>
<parameter><valueName>incidentStatus</valueName><value>acknowledged</value></parameter>
<parameter><valueName>devices</valueName><value>flood-1 flood-2</value></parameter>
<area>
<areaDesc>黄岩区 北城街道</areaDesc>
<circle>28.650000,121.250000 3</circle>
<geocode><valueName>GB/T 2260</valueName><value>331003002</value></geocode>
</area>
</info>
</alert>
`;

const EXPECTED_ATOM = `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>https://l.example/api/cap.atom?a=1&amp;b=2</id>
<title>Lookout 预警信息 (CAP 1.2)</title>
<updated>2026-07-01T02:01:01Z</updated>
<author><name>lookout@x.example</name></author>
<link rel="self" type="application/atom+xml" href="https://l.example/api/cap.atom?a=1&amp;b=2"/>
<entry>
<id>urn:lookout:incident:INC-20260701-0003:${T0 + 61_500}</id>
<title>【演练】橙色预警 积水 · 北城街道</title>
<updated>2026-07-01T02:01:01Z</updated>
<published>2026-07-01T02:00:00Z</published>
<category term="flood"/>
<summary>橙色预警 · acknowledged · flood-1, flood-2</summary>
<link rel="alternate" type="application/cap+xml" href="https://l.example/api/incidents/INC-20260701-0003/cap"/>
</entry>
</feed>
`;

const tag = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

describe('CAP 1.2 document content', () => {
  it('an updated drill with every optional part: the whole document, line by line', () => {
    expect(toCap(incident(), OPTS).split('\n')).toEqual(EXPECTED_CAP.split('\n'));
  });

  it('the Atom feed of that incident, line by line; with a sender name the author is that name', () => {
    const atom = { sender: 'lookout@x.example', selfUrl: 'https://l.example/api/cap.atom?a=1&b=2', capUrl: (id: string) => `https://l.example/api/incidents/${id}/cap` };
    expect(toAtomFeed([incident()], atom).split('\n')).toEqual(EXPECTED_ATOM.split('\n'));
    const named = toAtomFeed([], { ...atom, senderName: '黄岩区应急管理局', title: '预警 <测试>', updated: T0 });
    expect(named).toContain('<author><name>黄岩区应急管理局</name></author>');
    expect(named).toContain('<title>预警 &lt;测试&gt;</title>');
    expect(named).toContain('<updated>2026-07-01T02:00:00Z</updated>');
    expect(toAtomFeed([], atom)).toContain('<updated>1970-01-01T00:00:00Z</updated>');
  });

  it('a new real alert without the optional parts: no note, references, sender name, web, devices; default area and geocode', () => {
    const bare = incident({ drill: false, updatedAt: T0, status: 'open', township: null, lat: null, lon: null, deviceIds: [], alarms: [], title: '积水' });
    const xml = toCap(bare, { sender: 's@x' });
    expect(tag(xml, 'status')).toEqual(['Actual']);
    expect(tag(xml, 'msgType')).toEqual(['Alert']);
    expect(tag(xml, 'identifier')).toEqual(['33100300000000_20260701100000_3']);
    expect(tag(xml, 'sent')).toEqual(['2026-07-01T10:00:00+08:00']);
    expect(tag(xml, 'onset')).toEqual(['2026-07-01T10:00:00+08:00']);
    expect(tag(xml, 'headline')).toEqual(['橙色预警 积水']);
    expect(tag(xml, 'description')).toEqual(['积水']); // no alarms: the title
    expect(tag(xml, 'areaDesc')).toEqual(['黄岩区']);
    expect(xml).toContain('<geocode><valueName>GB/T 2260</valueName><value>331003</value></geocode>');
    for (const absent of ['<note>', '<references>', '<senderName>', '<web>', '<circle>', '<valueName>devices</valueName>']) expect(xml).not.toContain(absent);
    // the area description and geocode fall back to the options, a township without a name is shown by its code
    const opts = toCap(bare, { sender: 's@x', areaDesc: '黄岩区全域', adminCode: '331004' });
    expect(tag(opts, 'areaDesc')).toEqual(['黄岩区全域']);
    expect(opts).toContain('<value>331004</value></geocode>');
    expect(tag(toCap({ ...bare, township: '331003099' }, { sender: 's@x' }), 'areaDesc')).toEqual(['黄岩区 331003099']);
    // a drill whose title already carries 【演练】 is not marked twice; a forced msgType wins
    expect(tag(toCap({ ...bare, drill: true, title: '【演练】积水' }, { sender: 's@x' }), 'headline')).toEqual(['橙色预警 【演练】积水']);
    expect(tag(toCap(bare, { sender: 's@x', msgType: 'Cancel' }), 'msgType')).toEqual(['Cancel']);
    // a position that is not a number draws no circle; an explicit radius replaces the default
    expect(toCap({ ...bare, lat: Number.NaN, lon: 121 }, { sender: 's@x' })).not.toContain('<circle>');
    expect(toCap({ ...bare, lat: 28.6, lon: Number.POSITIVE_INFINITY }, { sender: 's@x' })).not.toContain('<circle>');
    // half a position is no position (CAP 1.2 §3.2.4 circle needs both coordinates)
    expect(toCap({ ...bare, lat: 28.6, lon: null }, { sender: 's@x' })).not.toContain('<circle>');
    expect(toCap({ ...bare, lat: null, lon: 121.2 }, { sender: 's@x' })).not.toContain('<circle>');
    expect(tag(toCap({ ...bare, lat: 28.6, lon: 121.2 }, { sender: 's@x', radiusKm: 7 }), 'circle')).toEqual(['28.600000,121.200000 7']);
    // a web base without a trailing slash; an id that needs encoding
    expect(tag(toCap({ ...bare, id: 'INC 1' }, { sender: 's@x', webBase: 'https://l.example' }), 'web')).toEqual(['https://l.example/incidents/INC%201']);
  });

  it('msgType: Alert when never changed, Update after a change, Cancel when resolved or closed (urgency Past, AllClear)', () => {
    const statuses = ['open', 'acknowledged', 'dispatched', 'resolved', 'closed'] as const;
    for (const status of statuses) {
      const changed = toCap(incident({ status, drill: false }), { sender: 's@x' });
      const cancel = status === 'resolved' || status === 'closed';
      expect(tag(changed, 'msgType'), status).toEqual([cancel ? 'Cancel' : 'Update']);
      expect(tag(changed, 'urgency'), status).toEqual([cancel ? 'Past' : 'Immediate']);
      expect(tag(changed, 'responseType'), status).toEqual([cancel ? 'AllClear' : 'Prepare']);
      // a cancellation is sent at its update time, and references the first alert
      expect(tag(changed, 'sent'), status).toEqual(['2026-07-01T10:01:01+08:00']);
      const fresh = toCap(incident({ status, drill: false, updatedAt: T0 }), { sender: 's@x' });
      expect(tag(fresh, 'msgType'), status).toEqual([cancel ? 'Cancel' : 'Alert']);
    }
  });

  // CAP 1.2 §3.2.2 category per Lookout category (DOMAIN.md), the Chinese event name, and the default circle radius (km)
  const BY_CATEGORY: Record<IncidentCategory, [string, string, number]> = {
    flood: ['Met', '洪水', 3], rainstorm: ['Met', '暴雨', 5], gas: ['Infra', '燃气泄漏', 0.5], air: ['Env', '空气污染', 3],
    water: ['Env', '水质污染', 2], noise: ['Env', '噪声污染', 0.5], geo: ['Geo', '地质灾害', 1], fire: ['Fire', '火灾', 1],
    camera: ['Safety', '视频监控告警', 0.5], 'device-fault': ['Infra', '设备故障', 0.2], system: ['Other', '系统告警', 1],
  };
  // responseType per level: red evacuates for flood, geo and gas, otherwise executes; device faults and system assess
  const RESPONSE: Record<IncidentCategory, Record<Level, string>> = Object.fromEntries(
    (Object.keys(BY_CATEGORY) as IncidentCategory[]).map((c) => [c, c === 'device-fault' || c === 'system'
      ? { red: 'Assess', orange: 'Assess', yellow: 'Assess', blue: 'Assess' }
      : { red: ['flood', 'geo', 'gas'].includes(c) ? 'Evacuate' : 'Execute', orange: 'Prepare', yellow: 'Monitor', blue: 'Monitor' }]),
  ) as unknown as Record<IncidentCategory, Record<Level, string>>;

  for (const [category, [cap, event, km]] of Object.entries(BY_CATEGORY) as [IncidentCategory, [string, string, number]][]) {
    it(`${category}: category ${cap}, event ${event}, circle ${km} km, responseType per level`, () => {
      for (const level of ['red', 'orange', 'yellow', 'blue'] as const) {
        const xml = toCap(incident({ category, level, drill: false, status: 'open', updatedAt: T0 }), { sender: 's@x' });
        expect(tag(xml, 'category')).toEqual([cap]);
        expect(tag(xml, 'event')).toEqual([event]);
        expect(tag(xml, 'circle')).toEqual([`28.650000,121.250000 ${km}`]);
        expect(tag(xml, 'responseType'), level).toEqual([RESPONSE[category][level]]);
        expect(tag(xml, 'status')).toEqual([category === 'system' ? 'System' : 'Actual']);
        expect(xml).toContain(`<eventCode><valueName>lookoutCategory</valueName><value>${category}</value></eventCode>`);
      }
      // a drill of any category is an Exercise
      expect(tag(toCap(incident({ category }), { sender: 's@x' }), 'status')).toEqual(['Exercise']);
    });
  }
});

describe('CAP text helpers', () => {
  it('escapes the five XML specials and drops the characters XML 1.0 forbids, keeping tab, newline and CR', () => {
    expect(xmlEscape(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(xmlEscape('x\u0000\u0001\u0008\u000B\u000C\u000E\u001F\uFFFE\uFFFFy')).toBe('xy');
    expect(xmlEscape('a\tb\nc\rd é 中')).toBe('a\tb\nc\rd é 中');
  });

  it('times are Beijing time, whole seconds, zero-padded, across a day and year boundary', () => {
    expect(capTime(Date.UTC(2026, 11, 31, 16, 0, 0))).toBe('2027-01-01T00:00:00+08:00');
    expect(capTime(Date.UTC(2026, 0, 2, 3, 4, 5, 999))).toBe('2026-01-02T11:04:05+08:00');
  });

  it('identifiers pad and cut the admin and organisation codes, and take the trailing number of the incident id', () => {
    const i = incident();
    expect(capIdentifier(i, T0, { adminCode: '3310031234', orgCode: '98765' })).toBe('33100398700000_20260701100000_3');
    expect(capIdentifier(i, T0, { adminCode: '1', orgCode: '2' })).toBe('00000100200000_20260701100000_3');
    expect(capIdentifier({ ...i, id: 'no-number-x' }, T0)).toBe('33100300000000_20260701100000_0');
  });
});

describe('CAP message times, references and certainty basis', () => {
  type Entry = NonNullable<Incident['timeline']>[number];
  const entry = (ts: number, type: Entry['type']): Entry => ({ ts, type, user: null, note: null, level: null, alarmId: null, deviceId: null, detail: null });
  const real = (over: Partial<Incident> = {}) => incident({ drill: false, status: 'acknowledged', ...over });

  // the timeline changes a recipient must hear of (docs/rules.md "CAP 1.2 and Atom": level change, acknowledge,
  // dispatch, resolve, close, reopen), each a message of its own after the opening
  const PUBLISHED = ['level-changed', 'acknowledged', 'dispatched', 'resolved', 'closed', 'reopened'] as const;
  const SILENT = ['alarm-raised', 'alarm-escalated', 'alarm-deescalated', 'alarm-cleared', 'escalated', 'lower-offered', 'muted', 'linked', 'note'] as const;

  it('every published timeline change is a message of its own (referenced by the next); the other entries are not', () => {
    for (const type of PUBLISHED) {
      const xml = toCap(real({ timeline: [entry(T0, 'opened'), entry(T0 + 60_000, type), entry(T0 + 120_000, 'acknowledged')] }), { sender: 's@x' });
      const refs = tag(xml, 'references')[0]!.split(' ');
      expect(refs, type).toEqual(['s@x,33100300000000_20260701100000_3,2026-07-01T10:00:00+08:00', 's@x,33100300000000_20260701100100_3,2026-07-01T10:01:00+08:00']);
    }
    for (const type of SILENT) {
      const xml = toCap(real({ timeline: [entry(T0, 'opened'), entry(T0 + 60_000, type), entry(T0 + 120_000, 'acknowledged')] }), { sender: 's@x' });
      expect(tag(xml, 'references'), type).toEqual(['s@x,33100300000000_20260701100000_3,2026-07-01T10:00:00+08:00']);
    }
  });

  it('the messages are ordered by time whatever order the timeline comes in; nothing before the opening counts', () => {
    const timeline = [entry(T0 + 120_000, 'dispatched'), entry(T0 + 60_000, 'acknowledged'), entry(T0, 'opened'), entry(T0 - 30_000, 'acknowledged')];
    const xml = toCap(real({ status: 'dispatched', timeline }), { sender: 's@x' });
    expect(tag(xml, 'sent')).toEqual(['2026-07-01T10:02:00+08:00']);
    expect(tag(xml, 'references')[0]!.split(' ')).toEqual([
      's@x,33100300000000_20260701100000_3,2026-07-01T10:00:00+08:00',
      's@x,33100300000000_20260701100100_3,2026-07-01T10:01:00+08:00',
    ]);
    // the three messages, sent oldest first: an Alert is the oldest of them
    expect(tag(toCap(real({ timeline }), { sender: 's@x', msgType: 'Alert' }), 'sent')).toEqual(['2026-07-01T10:00:00+08:00']);
  });

  it('without a timeline an update time before the opening (a clock stepped back) makes no second message', () => {
    const xml = toCap(real({ status: 'open', updatedAt: T0 - 5_000 }), { sender: 's@x' });
    expect(tag(xml, 'msgType')).toEqual(['Alert']);
    expect(tag(xml, 'sent')).toEqual(['2026-07-01T10:00:00+08:00']);
  });

  it('a forced msgType: an Alert is sent at the opening; an Update with no earlier message carries no references', () => {
    const alert = toCap(real(), { sender: 's@x', msgType: 'Alert' });
    expect(tag(alert, 'sent')).toEqual(['2026-07-01T10:00:00+08:00']);
    expect(tag(alert, 'identifier')).toEqual(['33100300000000_20260701100000_3']);
    expect(alert).not.toContain('<references>');
    const update = toCap(real({ updatedAt: T0 }), { sender: 's@x', msgType: 'Update' });
    expect(tag(update, 'msgType')).toEqual(['Update']);
    expect(update).not.toContain('<references>');
  });

  it('certainty rests on the alarms at the incident level only; an incident without alarms is Observed', () => {
    const projected = (ruleId: string) => ruleId === 'geo.tangent-angle';
    const base = incident({ drill: false, status: 'open', updatedAt: T0, category: 'geo', level: 'red' });
    const alarm = base.alarms[0]!;
    // red from the projection, a measured yellow alongside: the red warning is a projection (Likely)
    const mixed = { ...base, alarms: [{ ...alarm, level: 'red' as const, ruleId: 'geo.tangent-angle' }, { ...alarm, id: 'ALM-000009', level: 'yellow' as const, ruleId: 'geo.displacement-rate' }] };
    expect({ certainty: tag(toCap(mixed, { sender: 's@x', projected }), 'certainty') }).toEqual({ certainty: ['Likely'] });
    // the other way round: a measured red with a projected yellow is Observed
    const other = { ...base, alarms: [{ ...alarm, level: 'red' as const, ruleId: 'geo.displacement-rate' }, { ...alarm, id: 'ALM-000009', level: 'yellow' as const, ruleId: 'geo.tangent-angle' }] };
    expect(tag(toCap(other, { sender: 's@x', projected }), 'certainty')).toEqual(['Observed']);
    // no alarm at the incident level: all alarms are the basis (a projected orange under a red incident → Likely)
    const below = { ...base, alarms: [{ ...alarm, level: 'orange' as const, ruleId: 'geo.tangent-angle' }] };
    expect(tag(toCap(below, { sender: 's@x', projected }), 'certainty')).toEqual(['Likely']);
    // no alarms at all (a system incident): nothing is projected
    expect(tag(toCap({ ...base, alarms: [] }, { sender: 's@x', projected }), 'certainty')).toEqual(['Observed']);
  });
});
