// The documents of a published warning message, made once at publication and stored as issued: CAP 1.2
// (OASIS; element order of CAP-v1.2.xsd, CAP 1.2 §3.2) and the GB/T 35965.1-style XML the provincial warning
// system takes (release/gb-schema/gb-35965-profile.xsd: CAP's content under the national element names), and
// the Atom (RFC 4287) feed of published messages. The identifier is GB/T 35965.1—2018 Annex A's.
import { CAP_CATEGORY, COLOR_ZH, EVENT_ZH, capTime, xmlEscape } from '../alerting/index.js';
import { LEVEL_INFO, type PublishedMessage } from '../schemas/index.js';

export interface DocumentOptions {
  /** CAP 1.2 §3.2.1 senderName: the issuing office as the public reads it */
  senderName: string;
  /** GB/T 2260 code of the issuing area (331003 黄岩区) */
  adminCode: string;
  /** names of township codes */
  townshipNames: Record<string, string>;
  /** the district's name, the area description of a district-wide message */
  districtName: string;
}

/** GB/T 35965.1 Annex A identifier prefix: {admin code 6}{organisation 3}{000}{00} */
export function identifierPrefix(adminCode: string, orgCode: string): string {
  return `${adminCode.padStart(6, '0').slice(0, 6)}${orgCode.padStart(3, '0').slice(0, 3)}00000`;
}

/** the whole identifier, ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N (Beijing time; N the one-digit sequence within that second) */
export function releaseIdentifier(prefix: string, sentSecond: number, n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9) throw new RangeError(`sequence digit ${n} is not 0–9`);
  return `${prefix}_${capTime(sentSecond).slice(0, 19).replace(/[-T:]/g, '')}_${n}`;
}

/** the pattern every identifier matches (31 characters) */
export const IDENTIFIER_PATTERN = /^[0-9]{14}_[0-9]{14}_[0-9]$/;

function responseType(m: PublishedMessage): string {
  if (m.msgType === 'Cancel') return 'AllClear';
  if (m.level === 'red') return m.category === 'flood' || m.category === 'geo' || m.category === 'gas' ? 'Evacuate' : 'Execute';
  return m.level === 'orange' ? 'Prepare' : 'Monitor';
}

const areaDesc = (m: PublishedMessage, o: DocumentOptions) =>
  m.townships.length ? m.townships.map((t) => `${o.districtName} ${o.townshipNames[t] ?? t}`).join('、') : o.districtName;

/** CAP 1.2 §3.2.4 polygon: space-separated "lat,lon" pairs, WGS 84 */
const polygonText = (p: [number, number][]) => p.map(([lat, lon]) => `${lat},${lon}`).join(' ');

const pair = (tag: string, name: string, value: string) => `<${tag}><valueName>${xmlEscape(name)}</valueName><value>${xmlEscape(value)}</value></${tag}>`;

export function headlineOf(m: Pick<PublishedMessage, 'drill' | 'headline'>): string {
  return m.drill && !m.headline.startsWith('【演练】') ? `【演练】${m.headline}` : m.headline;
}

/** CAP 1.2 alert of a published message (status Exercise for a drill; an Update or Cancel references every earlier message) */
export function capDocument(m: PublishedMessage, o: DocumentOptions): string {
  const info = LEVEL_INFO[m.level];
  const l: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'];
  l.push(`<identifier>${xmlEscape(m.identifier)}</identifier>`, `<sender>${xmlEscape(m.sender)}</sender>`, `<sent>${capTime(m.sent)}</sent>`);
  l.push(`<status>${m.status}</status>`, `<msgType>${m.msgType}</msgType>`, '<source>Lookout</source>', `<scope>${m.scope}</scope>`);
  if (m.scope === 'Restricted') l.push('<restriction>应急指挥内部 (emergency command only)</restriction>');
  if (m.drill) l.push('<note>演练 (drill) — not a real emergency</note>');
  // CAP 1.2 §3.2.1 references: "sender,identifier,sent" of every message this one updates or cancels, space-separated
  if (m.references.length) l.push(`<references>${xmlEscape(m.references.map((r) => `${r.sender},${r.identifier},${capTime(r.sent)}`).join(' '))}</references>`);
  if (m.source.id) l.push(`<incidents>${xmlEscape(m.source.id)}</incidents>`);
  l.push('<info>', '<language>zh-CN</language>', `<category>${CAP_CATEGORY[m.category]}</category>`, `<event>${xmlEscape(EVENT_ZH[m.category])}</event>`);
  l.push(`<responseType>${responseType(m)}</responseType>`, `<urgency>${m.msgType === 'Cancel' ? 'Past' : m.urgency}</urgency>`);
  l.push(`<severity>${info.capSeverity}</severity>`, `<certainty>${m.certainty}</certainty>`, pair('eventCode', 'lookoutCategory', m.category));
  l.push(`<effective>${capTime(m.sent)}</effective>`, `<expires>${capTime(m.expires)}</expires>`, `<senderName>${xmlEscape(o.senderName)}</senderName>`);
  l.push(`<headline>${xmlEscape(headlineOf(m))}</headline>`, `<description>${xmlEscape(m.description || m.headline)}</description>`);
  if (m.instruction) l.push(`<instruction>${xmlEscape(m.instruction)}</instruction>`);
  l.push(pair('parameter', 'warningLevel', info.roman), pair('parameter', 'warningColor', COLOR_ZH[m.level]));
  l.push('<area>', `<areaDesc>${xmlEscape(areaDesc(m, o))}</areaDesc>`);
  if (m.polygon) l.push(`<polygon>${polygonText(m.polygon)}</polygon>`);
  for (const code of m.townships.length ? m.townships : [o.adminCode]) l.push(pair('geocode', 'GB/T 2260', code));
  l.push('</area>', '</info>', '</alert>');
  return `${l.join('\n')}\n`;
}

/** the GB/T 35965.1-style message for the provincial warning system (validated against gb-35965-profile.xsd) */
export function gbDocument(m: PublishedMessage, o: DocumentOptions): string {
  const info = LEVEL_INFO[m.level];
  const l: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<alert xmlns="urn:lookout:gbt35965.1:2018">'];
  l.push(`<identifier>${m.identifier}</identifier>`, `<sender>${xmlEscape(o.senderName)}</sender>`, `<senderCode>${m.identifier.slice(0, 14)}</senderCode>`);
  l.push(`<sendTime>${capTime(m.sent)}</sendTime>`, `<status>${m.status}</status>`, `<msgType>${m.msgType}</msgType>`, `<scope>${m.scope}</scope>`);
  if (m.references.length) l.push(`<references>${m.references.map((r) => r.identifier).join(' ')}</references>`);
  l.push('<info>', `<eventType>${xmlEscape(EVENT_ZH[m.category])}</eventType>`, `<urgency>${m.msgType === 'Cancel' ? 'Past' : m.urgency}</urgency>`);
  l.push(`<severity>${info.capSeverity}</severity>`, `<certainty>${m.certainty}</certainty>`, `<warningLevel>${info.roman}</warningLevel>`, `<warningColor>${COLOR_ZH[m.level]}</warningColor>`);
  l.push(`<effective>${capTime(m.sent)}</effective>`, `<expires>${capTime(m.expires)}</expires>`);
  l.push(`<headline>${xmlEscape(headlineOf(m))}</headline>`, `<description>${xmlEscape(m.description || m.headline)}</description>`);
  if (m.instruction) l.push(`<instruction>${xmlEscape(m.instruction)}</instruction>`);
  l.push('<area>', `<areaDesc>${xmlEscape(areaDesc(m, o))}</areaDesc>`);
  if (m.polygon) l.push(`<polygon>${polygonText(m.polygon)}</polygon>`);
  for (const code of m.townships.length ? m.townships : [o.adminCode]) l.push(`<geocode>${code}</geocode>`);
  l.push('</area>', '</info>', '</alert>');
  return `${l.join('\n')}\n`;
}

/** Atom (RFC 4287) feed of published messages, newest first, each entry linking its CAP document */
export function publishedFeed(messages: readonly PublishedMessage[], o: DocumentOptions & { selfUrl: string; capUrl: (identifier: string) => string }): string {
  const iso = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">'];
  out.push(`<id>${xmlEscape(o.selfUrl)}</id>`, `<title>${xmlEscape(`${o.senderName} 已发布预警信息 (CAP 1.2)`)}</title>`);
  out.push(`<updated>${iso(messages.reduce((a, m) => Math.max(a, m.sent), 0))}</updated>`, `<author><name>${xmlEscape(o.senderName)}</name></author>`);
  out.push(`<link rel="self" type="application/atom+xml" href="${xmlEscape(o.selfUrl)}"/>`);
  for (const m of messages) {
    out.push('<entry>', `<id>urn:lookout:release:${m.identifier}</id>`, `<title>${xmlEscape(headlineOf(m))}</title>`, `<updated>${iso(m.sent)}</updated>`);
    out.push(`<published>${iso(m.sent)}</published>`, `<category term="${m.msgType}"/>`, `<summary>${xmlEscape(`${LEVEL_INFO[m.level].zh} · ${m.msgType} · ${m.status} · ${areaDesc(m, o)}`)}</summary>`);
    out.push(`<link rel="alternate" type="application/cap+xml" href="${xmlEscape(o.capUrl(m.identifier))}"/>`, '</entry>');
  }
  out.push('</feed>');
  return `${out.join('\n')}\n`;
}
