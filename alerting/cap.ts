// CAP 1.2 export (OASIS Common Alerting Protocol; national profile GB/T 35965.1-2018) and an Atom feed
// of current alerts. Element order follows the CAP-v1.2.xsd sequences (CAP 1.2 §3.2).
import { LEVEL_INFO } from '../schemas/levels.js';
import type { Incident, IncidentCategory, TimelineType } from '../schemas/model.js';

export interface CapOptions {
  /** CAP 1.2 §3.2.1 sender: globally unique id of the originator, e.g. `lookout@yjj.huangyan.gov.cn` */
  sender: string;
  senderName?: string;
  /** GB/T 2260 administrative code used in identifiers and as the area geocode (default 331003 Huangyan) */
  adminCode?: string;
  /** 3-digit issuing organisation code (default 000) */
  orgCode?: string;
  /** link to the incident in the console: `${webBase}/incidents/${id}` */
  webBase?: string;
  /** circle radius in km around the incident position (default by category) */
  radiusKm?: number;
  /** area description when the incident has no township name */
  areaDesc?: string;
  /** names of township codes, e.g. from huangyan/townships.json */
  townshipNames?: Record<string, string>;
  /** force a message type; by default Alert (new), Update (changed), Cancel (resolved/closed) */
  msgType?: 'Alert' | 'Update' | 'Cancel';
  /** rules whose warnings are projections (rule `basis: "projected"`): certainty Likely, not Observed */
  projected?: (ruleId: string) => boolean;
}

// CAP 1.2 §3.2.2 category (DOMAIN.md mapping)
export const CAP_CATEGORY: Record<IncidentCategory, string> = {
  flood: 'Met', rainstorm: 'Met', gas: 'Infra', air: 'Env', water: 'Env', noise: 'Env', geo: 'Geo',
  fire: 'Fire', camera: 'Safety', 'device-fault': 'Infra', system: 'Other',
};
export const EVENT_ZH: Record<IncidentCategory, string> = {
  flood: '洪水', rainstorm: '暴雨', gas: '燃气泄漏', air: '空气污染', water: '水质污染', noise: '噪声污染',
  geo: '地质灾害', fire: '火灾', camera: '视频监控告警', 'device-fault': '设备故障', system: '系统告警',
};
const DEFAULT_RADIUS_KM: Record<IncidentCategory, number> = {
  flood: 3, rainstorm: 5, gas: 0.5, air: 3, water: 2, noise: 0.5, geo: 1, fire: 1, camera: 0.5, 'device-fault': 0.2, system: 1,
};
export const COLOR_ZH = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' } as const;

/** level word + title, marked 【演练】 for a drill (incidents opened by this version carry it in the title already) */
function markedTitle(i: Incident): string {
  return `${i.drill && !i.title.startsWith('【演练】') ? '【演练】' : ''}${LEVEL_INFO[i.level].zh} ${i.title}`;
}

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!)
    // characters XML 1.0 forbids
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/** CAP 1.2 §3.3.2 dateTime: `YYYY-MM-DDThh:mm:ss+08:00` (Beijing time, no `Z`, no fractions) */
export function capTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+08:00`;
}

function compactTime(ms: number): string {
  return capTime(ms).slice(0, 19).replace(/[-T:]/g, '');
}

/**
 * GB/T 35965.1—2018 Annex A identifier, 31 characters: {admin code 6}{org 3}{000}{00}_{YYYYMMDDhhmmss}_{n}, where
 * n is one digit, the sequence of the sender's messages within that second. A pure export cannot count the
 * sender's other messages, so n is the incident's serial number modulo 10: two incidents collide only when
 * both send within the same second and their numbers end in the same digit (docs/rules.md, approximation).
 */
export function capIdentifier(incident: Incident, at: number, opts: Pick<CapOptions, 'adminCode' | 'orgCode'> = {}): string {
  const admin = (opts.adminCode ?? '331003').padStart(6, '0').slice(0, 6);
  const org = (opts.orgCode ?? '000').padStart(3, '0').slice(0, 3);
  const n = Number(/(\d+)$/.exec(incident.id)?.[1] ?? '0') % 10;
  return `${admin}${org}00000_${compactTime(at)}_${n}`;
}

/** timeline changes a recipient of the warning must hear of: each is a new CAP message */
const PUBLISHED: ReadonlySet<TimelineType> = new Set<TimelineType>(['opened', 'level-changed', 'acknowledged', 'dispatched', 'resolved', 'closed', 'reopened']);

/**
 * Send times (whole seconds) of every CAP message of the incident, oldest first: the opening and each
 * published change of its timeline. Without a timeline (list views): the opening and the last update.
 */
export function capMessageTimes(i: Incident): number[] {
  const sec = (ms: number) => Math.floor(ms / 1000) * 1000;
  const times = new Set<number>([sec(i.openedAt)]);
  if (i.timeline) {
    for (const e of i.timeline) if (PUBLISHED.has(e.type) && e.ts >= i.openedAt) times.add(sec(e.ts));
  } else if (i.updatedAt > i.openedAt) times.add(sec(i.updatedAt));
  return [...times].sort((a, b) => a - b);
}

function capMsgType(i: Incident, messages: number): 'Alert' | 'Update' | 'Cancel' {
  if (i.status === 'resolved' || i.status === 'closed') return 'Cancel';
  return messages > 1 ? 'Update' : 'Alert';
}

/**
 * CAP 1.2 §3.2.2 certainty and urgency from what the warning rests on: a measured exceedance is
 * `Observed`, a projection (rule basis "projected": slope acceleration, critical rainfall) `Likely`; red is
 * `Immediate`, orange `Immediate` when observed and `Expected` when projected, yellow and blue `Expected`.
 */
function certaintyUrgency(i: Incident, opts: CapOptions): { certainty: 'Observed' | 'Likely'; urgency: 'Immediate' | 'Expected' } {
  const atLevel = i.alarms.filter((a) => a.level === i.level);
  const basis = atLevel.length ? atLevel : i.alarms;
  const observed = basis.length === 0 || !opts.projected || basis.some((a) => !opts.projected!(a.ruleId));
  const urgency = i.level === 'red' || (i.level === 'orange' && observed) ? 'Immediate' : 'Expected';
  return { certainty: observed ? 'Observed' : 'Likely', urgency };
}

function responseType(i: Incident, msgType: string): string {
  if (msgType === 'Cancel') return 'AllClear';
  if (i.category === 'device-fault' || i.category === 'system') return 'Assess';
  if (i.level === 'red') return i.category === 'flood' || i.category === 'geo' || i.category === 'gas' ? 'Evacuate' : 'Execute';
  if (i.level === 'orange') return 'Prepare';
  return 'Monitor';
}

function pair(tag: string, name: string, value: string): string {
  return `<${tag}><valueName>${xmlEscape(name)}</valueName><value>${xmlEscape(value)}</value></${tag}>`;
}

/** CAP 1.2 alert for an incident (status Exercise for drills; an Update or Cancel references every earlier message). */
export function toCap(incident: Incident, opts: CapOptions): string {
  const i = incident;
  const times = capMessageTimes(i);
  const msgType = opts.msgType ?? capMsgType(i, times.length);
  const sentAt = msgType === 'Alert' ? times[0]! : times[times.length - 1]!;
  const identifier = capIdentifier(i, sentAt, opts);
  const { certainty, urgency } = certaintyUrgency(i, opts);
  const info = LEVEL_INFO[i.level];
  const lines: string[] = [];
  lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  lines.push('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">');
  lines.push(`<identifier>${xmlEscape(identifier)}</identifier>`);
  lines.push(`<sender>${xmlEscape(opts.sender)}</sender>`);
  lines.push(`<sent>${capTime(sentAt)}</sent>`);
  lines.push(`<status>${i.drill ? 'Exercise' : i.category === 'system' ? 'System' : 'Actual'}</status>`);
  lines.push(`<msgType>${msgType}</msgType>`);
  lines.push('<source>Lookout</source>');
  lines.push('<scope>Restricted</scope>');
  lines.push('<restriction>应急指挥内部 (emergency command only)</restriction>');
  if (i.drill) lines.push('<note>演练 (drill) — not a real emergency</note>');
  const earlier = times.filter((t) => t < sentAt);
  if (msgType !== 'Alert' && earlier.length) {
    // CAP 1.2 §3.2.1 references: "sender,identifier,sent" of every message this one updates or cancels,
    // space-separated (GB/T 35965.1 follows CAP)
    lines.push(`<references>${xmlEscape(earlier.map((t) => `${opts.sender},${capIdentifier(i, t, opts)},${capTime(t)}`).join(' '))}</references>`);
  }
  lines.push(`<incidents>${xmlEscape(i.id)}</incidents>`);
  lines.push('<info>');
  lines.push('<language>zh-CN</language>');
  lines.push(`<category>${CAP_CATEGORY[i.category]}</category>`);
  lines.push(`<event>${xmlEscape(EVENT_ZH[i.category])}</event>`);
  lines.push(`<responseType>${responseType(i, msgType)}</responseType>`);
  lines.push(`<urgency>${msgType === 'Cancel' ? 'Past' : urgency}</urgency>`);
  lines.push(`<severity>${info.capSeverity}</severity>`);
  lines.push(`<certainty>${certainty}</certainty>`);
  lines.push(pair('eventCode', 'lookoutCategory', i.category));
  lines.push(`<effective>${capTime(i.openedAt)}</effective>`);
  const onset = i.alarms.reduce((m, a) => Math.min(m, a.raisedAt), i.openedAt);
  lines.push(`<onset>${capTime(onset)}</onset>`);
  if (opts.senderName) lines.push(`<senderName>${xmlEscape(opts.senderName)}</senderName>`);
  lines.push(`<headline>${xmlEscape(markedTitle(i))}</headline>`);
  const desc = i.alarms.map((a) => `${capTime(a.raisedAt)} ${a.deviceId} ${LEVEL_INFO[a.level].zh} ${a.state === 'cleared' ? '(已解除) ' : ''}${a.message}`);
  lines.push(`<description>${xmlEscape(desc.length ? desc.join('\n') : i.title)}</description>`);
  if (opts.webBase) lines.push(`<web>${xmlEscape(`${opts.webBase.replace(/\/$/, '')}/incidents/${encodeURIComponent(i.id)}`)}</web>`);
  lines.push(pair('parameter', 'warningLevel', info.roman));
  lines.push(pair('parameter', 'warningColor', COLOR_ZH[i.level]));
  lines.push(pair('parameter', 'incidentStatus', i.status));
  if (i.deviceIds.length) lines.push(pair('parameter', 'devices', i.deviceIds.join(' ')));
  lines.push('<area>');
  const town = i.township ? (opts.townshipNames?.[i.township] ?? i.township) : null;
  lines.push(`<areaDesc>${xmlEscape(town ? `黄岩区 ${town}` : (opts.areaDesc ?? '黄岩区'))}</areaDesc>`);
  if (i.lat !== null && i.lon !== null && Number.isFinite(i.lat) && Number.isFinite(i.lon)) {
    // CAP 1.2 §3.2.4 circle: "lat,lon radius-km", WGS 84
    const r = opts.radiusKm ?? DEFAULT_RADIUS_KM[i.category];
    lines.push(`<circle>${i.lat.toFixed(6)},${i.lon.toFixed(6)} ${r}</circle>`);
  }
  lines.push(pair('geocode', 'GB/T 2260', i.township ?? opts.adminCode ?? '331003'));
  lines.push('</area>');
  lines.push('</info>');
  lines.push('</alert>');
  return `${lines.join('\n')}\n`;
}

export interface AtomOptions extends CapOptions {
  /** feed URL (self link) */
  selfUrl: string;
  /** URL of one incident's CAP document */
  capUrl: (incidentId: string) => string;
  title?: string;
  /** feed `updated` time (default: newest incident update) */
  updated?: number;
}

/** Atom (RFC 4287) feed of current alerts, each entry linking its CAP document. */
export function toAtomFeed(incidents: readonly Incident[], opts: AtomOptions): string {
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const updated = opts.updated ?? incidents.reduce((m, i) => Math.max(m, i.updatedAt), 0);
  const out: string[] = [];
  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  out.push('<feed xmlns="http://www.w3.org/2005/Atom">');
  out.push(`<id>${xmlEscape(opts.selfUrl)}</id>`);
  out.push(`<title>${xmlEscape(opts.title ?? 'Lookout 预警信息 (CAP 1.2)')}</title>`);
  out.push(`<updated>${iso(updated || 0)}</updated>`);
  out.push(`<author><name>${xmlEscape(opts.senderName ?? opts.sender)}</name></author>`);
  out.push(`<link rel="self" type="application/atom+xml" href="${xmlEscape(opts.selfUrl)}"/>`);
  for (const i of incidents) {
    const info = LEVEL_INFO[i.level];
    out.push('<entry>');
    out.push(`<id>urn:lookout:incident:${xmlEscape(i.id)}:${i.updatedAt}</id>`);
    out.push(`<title>${xmlEscape(markedTitle(i))}</title>`);
    out.push(`<updated>${iso(i.updatedAt)}</updated>`);
    out.push(`<published>${iso(i.openedAt)}</published>`);
    out.push(`<category term="${xmlEscape(i.category)}"/>`);
    out.push(`<summary>${xmlEscape(`${info.zh} · ${i.status} · ${i.deviceIds.join(', ')}`)}</summary>`);
    out.push(`<link rel="alternate" type="application/cap+xml" href="${xmlEscape(opts.capUrl(i.id))}"/>`);
    out.push('</entry>');
  }
  out.push('</feed>');
  return `${out.join('\n')}\n`;
}
