// Every string the console shows, looked up by key (the dictionaries: i18n-zh.ts, i18n-en.ts). zh-CN is the default; English is a switch in the
// top bar (remembered in localStorage). Metric labels and level names come from schemas/ (METRICS,
// LEVEL_INFO) so the wording stays the same as the API's.
import { LEVEL_INFO, METRICS, type DeviceKind, type Level } from '../../../schemas/index.js';
import { en } from './i18n-en.js';
import { zh, type Dict } from './i18n-zh.js';

export type Lang = 'zh' | 'en';




export type Key = { [K in keyof typeof zh]: (typeof zh)[K] extends string ? K : never }[keyof typeof zh];

const dicts: Record<Lang, Dict> = { zh: zh as unknown as Dict, en };

let lang: Lang = (globalThis.localStorage?.getItem('lookout.lang') as Lang | null) === 'en' ? 'en' : 'zh';
const listeners = new Set<() => void>();

export function getLang(): Lang {
  return lang;
}
export function setLang(l: Lang): void {
  if (l === lang) return;
  lang = l;
  localStorage.setItem('lookout.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  for (const fn of listeners) fn();
}
export function onLangChange(fn: () => void): void {
  listeners.add(fn);
}

export function t(key: Key, vars?: Record<string, string | number>): string {
  let s = dicts[lang][key] as string;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replace(`{${k}}`, String(v));
  return s;
}
/** "1 sensor" / "2 sensors" in English; Chinese has no plural */
export function sensors(n: number): string {
  return lang === 'en' && n === 1 ? '1 sensor' : t('sensorsN', { n });
}
export function units(): { d: string; h: string; m: string; s: string } {
  return dicts[lang].duskUnit;
}

// ---- words from the wire vocabulary ----
const KIND: Record<DeviceKind, [string, string]> = {
  air: ['空气质量站', 'Air station'],
  water: ['水质监测站', 'Water quality'],
  noise: ['噪声监测点', 'Noise'],
  flood: ['水位雨量站', 'Flood gauge'],
  gas: ['燃气管网', 'Gas network'],
  geo: ['地灾监测点', 'Geohazard'],
  camera: ['视频监控', 'Camera'],
};
export function kindName(k: DeviceKind): string {
  return KIND[k]?.[lang === 'zh' ? 0 : 1] ?? k;
}

const CATEGORY: Record<string, [string, string]> = {
  flood: ['洪涝', 'Flood'],
  rainstorm: ['暴雨', 'Rainstorm'],
  gas: ['燃气', 'Gas'],
  air: ['大气', 'Air'],
  water: ['水质', 'Water'],
  noise: ['噪声', 'Noise'],
  geo: ['地质灾害', 'Geohazard'],
  fire: ['火情', 'Fire'],
  camera: ['视频', 'Video'],
  'device-fault': ['设备故障', 'Device fault'],
  system: ['系统', 'System'],
};
export function categoryName(c: string): string {
  return CATEGORY[c]?.[lang === 'zh' ? 0 : 1] ?? c;
}

const STATUS: Record<string, [string, string]> = {
  open: ['待确认', 'Open'],
  acknowledged: ['已确认', 'Acknowledged'],
  dispatched: ['已派单', 'Dispatched'],
  resolved: ['已处置', 'Resolved'],
  closed: ['已关闭', 'Closed'],
};
export function statusName(s: string): string {
  return STATUS[s]?.[lang === 'zh' ? 0 : 1] ?? s;
}

const DEVSTATE: Record<string, [string, string]> = {
  normal: ['正常', 'Normal'],
  offline: ['离线', 'Offline'],
  fault: ['故障', 'Fault'],
  unknown: ['未知', 'Unknown'],
};
export function deviceStateName(s: string): string {
  if (s in LEVEL_INFO) return levelName(s as Level);
  return DEVSTATE[s]?.[lang === 'zh' ? 0 : 1] ?? s;
}

export function levelName(l: Level): string {
  const i = LEVEL_INFO[l];
  return `${i.numeral} ${lang === 'zh' ? i.zh : i.en}`;
}
export function levelShort(l: Level): string {
  const i = LEVEL_INFO[l];
  const word = lang === 'zh' ? i.zh.slice(0, 1) : i.en.split(' ')[0];
  return `${i.numeral} ${word}`;
}

const TIMELINE: Record<string, [string, string]> = {
  opened: ['事件生成', 'Opened'],
  'alarm-raised': ['告警触发', 'Alarm raised'],
  'alarm-escalated': ['告警升级', 'Alarm escalated'],
  'alarm-deescalated': ['告警降级', 'Alarm de-escalated'],
  'alarm-cleared': ['告警解除', 'Alarm cleared'],
  'level-changed': ['级别变更', 'Level changed'],
  escalated: ['升级通知', 'Escalated'],
  acknowledged: ['已确认', 'Acknowledged'],
  dispatched: ['已派单', 'Dispatched'],
  resolved: ['处置完成', 'Resolved'],
  closed: ['已关闭', 'Closed'],
  reopened: ['重新打开', 'Reopened'],
  'lower-offered': ['可降级', 'May be lowered'],
  muted: ['消音', 'Muted'],
  linked: ['关联事件', 'Linked'],
  note: ['备注', 'Note'],
};
export function timelineName(t: string): string {
  return TIMELINE[t]?.[lang === 'zh' ? 0 : 1] ?? t;
}

export function metricLabel(kind: DeviceKind, metric: string): { label: string; unit: string } {
  const spec = METRICS[kind]?.[metric];
  if (spec) return { label: lang === 'zh' ? spec.zh : spec.en, unit: spec.unit };
  const derived: Record<string, [string, string, string]> = {
    aqi: ['AQI', 'AQI', ''],
    waterClass: ['水质类别', 'Water class', ''],
    rain1h: ['1小时雨量', 'Rain 1 h', 'mm'],
    rain3h: ['3小时雨量', 'Rain 3 h', 'mm'],
    rain6h: ['6小时雨量', 'Rain 6 h', 'mm'],
    rain12h: ['12小时雨量', 'Rain 12 h', 'mm'],
    rain24h: ['24小时雨量', 'Rain 24 h', 'mm'],
  };
  const d = derived[metric];
  if (d) return { label: lang === 'zh' ? d[0] : d[1], unit: d[2] };
  return { label: metric, unit: '' };
}

const AGG: Record<string, [string, string]> = {
  sum: ['累计', 'sum'], avg: ['平均', 'mean'], mean: ['平均', 'mean'], max: ['最大', 'max'], min: ['最小', 'min'], count: ['次数', 'count'], leq: ['等效', 'Leq'], rate: ['变化率', 'rate of change'],
};
const UNIT: Record<string, [string, string]> = { ms: ['毫秒', 'ms'], s: ['秒', 's'], m: ['分钟', 'min'], h: ['小时', 'h'], d: ['天', 'd'] };

/**
 * The quantity a rule judges, named from its structure: "rain.sum(3h)" → 3小时累计雨量 / Rain, 3 h sum;
 * "level.rate" → 水位变化率 / Water level, rate of change; "methane" → 甲烷 / Methane.
 */
export function quantityName(kind: DeviceKind, label: string): { label: string; unit: string } {
  const m = /^([A-Za-z0-9_]+)(?:\.([a-zA-Z]+)(?:\(([^)]*)\))?)?$/.exec(label);
  if (!m) return { label, unit: '' };
  const base = metricLabel(kind, m[1]!);
  if (!m[2]) return base;
  const zh = lang === 'zh';
  const agg = AGG[m[2]]?.[zh ? 0 : 1] ?? m[2];
  const w = m[3] ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(m[3]) : null;
  const win = w ? (zh ? `${w[1]}${UNIT[w[2]!]![0]}` : `${w[1]} ${UNIT[w[2]!]![1]}`) : (m[3] ?? '');
  const unit = m[2] === 'rate' ? (base.unit ? `${base.unit}/h` : '') : m[2] === 'count' ? '' : base.unit;
  if (zh) return { label: `${win}${agg}${base.label}`, unit };
  return { label: `${base.label}, ${win ? `${win} ` : ''}${agg}`, unit };
}

/** an alarm's words in the chosen language (the hub builds both from the rule's structure) */
export function alarmText(a: { message: string; messageEn?: string | null }): string {
  return lang === 'en' && a.messageEn ? a.messageEn : a.message;
}

const REASONS = { handled: 'reasonHandled', 'false-alarm': 'reasonFalse', 'sensor-fault': 'reasonSensor', drill: 'reasonDrill', duplicate: 'reasonDuplicate' } as const;
export function reasonName(r: keyof typeof REASONS): string {
  return t(REASONS[r]);
}
