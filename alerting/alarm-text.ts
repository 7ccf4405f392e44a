// The words of an alarm: the figures an alarm message shows and the message of a threshold that held, in
// Chinese (the alarm's `message`) and English (`messageEn`, for the console's English switch), both built
// from the rule's structure (the quantity, the comparison, the threshold), never fixed English strings.
import { METRICS, type DeviceKind } from '../schemas/kinds.js';

/** a figure as alarm messages show it (at most three decimals) */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}

const AGG_ZH: Record<string, string> = { sum: '累计', avg: '平均', mean: '平均', max: '最大', min: '最小', count: '次数', leq: '等效', rate: '变化率', delta: '变化量' };
export const OP_TEXT: Record<string, string> = { '>=': '≥', '<=': '≤', '==': '=', '!=': '≠', '>': '>', '<': '<' };

/** "3h" → "3小时", "10m" → "10分钟", "1d" → "1天" */
function windowZh(w: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(w);
  if (!m) return w;
  return `${m[1]}${({ ms: '毫秒', s: '秒', m: '分钟', h: '小时', d: '天' } as const)[m[2] as 'ms']}`;
}

/**
 * The quantity a rule evaluated, in words built from its structure: "rain.sum(3h)" → "3小时累计雨量",
 * "level.rate" → "水位变化率", "methane" → "甲烷" (names from the metric table, schemas/kinds.ts).
 */
export function quantityZh(kind: DeviceKind, metric: string): string {
  const m = /^([A-Za-z0-9_]+)(?:\.([a-z]+)(?:\(([^)]*)\))?)?$/.exec(metric);
  if (!m) return metric;
  const name = METRICS[kind]?.[m[1]!]?.zh ?? m[1]!;
  const agg = m[2] ? (AGG_ZH[m[2]] ?? m[2]) : '';
  if (!agg) return name;
  return m[3] ? `${windowZh(m[3])}${agg}${name}` : `${name}${agg}`;
}

/** "<rule title>：3小时累计雨量 193.3 mm ≥ 100 mm", then the note the condition left (what the warning used) */
export function thresholdMessage(title: string, kind: DeviceKind, metric: string, value: number, op: string, threshold: number, note = ''): string {
  const base = metric.split('.')[0]!;
  const unit = METRICS[kind]?.[base]?.unit ?? '';
  const u = unit ? ` ${unit}` : '';
  return withNote(`${title}：${quantityZh(kind, metric)} ${fmt(value)}${u} ${OP_TEXT[op] ?? op} ${fmt(threshold)}${u}`, note);
}

const EVENT_ZH: Record<string, string> = { smoke: '烟雾', fire: '火焰', intrusion: '区域入侵', crowd: '人员聚集', vehicle: '车辆', flood: '积水' };

/** "<rule title>：烟雾 置信度 0.96" (camera and other event rules) */
export function eventMessage(title: string, type: string, confidence: number | undefined, value: number | undefined, repeat: number): string {
  const parts = [EVENT_ZH[type] ?? type];
  if (confidence !== undefined) parts.push(`置信度 ${fmt(confidence)}`);
  if (value !== undefined) parts.push(`数值 ${fmt(value)}`);
  if (repeat > 1) parts.push(`×${repeat}`);
  return `${title}：${parts.join(' ')}`;
}

/** text · note — the note names the values a warning used (critical rainfall and its source, the
 *  tangent-angle baseline, whether rain is still falling, TN beside the water class) */
export function withNote(text: string, note: string): string {
  return note ? `${text} · ${note}` : text;
}

/** an alarm's words in both languages (the alarm keeps `message` = zh and `messageEn` = en) */
export interface AlarmText {
  zh: string;
  en: string;
}

const AGG_EN: Record<string, string> = { sum: 'sum', avg: 'mean', mean: 'mean', max: 'max', min: 'min', count: 'count', leq: 'Leq', rate: 'rate of change', delta: 'change' };

/** "rain.sum(3h)" → "Rain, 3 h sum", "level.rate" → "Water level, rate of change" */
export function quantityEn(kind: DeviceKind, metric: string): string {
  const m = /^([A-Za-z0-9_]+)(?:\.([a-z]+)(?:\(([^)]*)\))?)?$/.exec(metric);
  if (!m) return metric;
  const name = METRICS[kind]?.[m[1]!]?.en ?? m[1]!;
  if (!m[2]) return name;
  const w = m[3] ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(m[3]) : null;
  const win = w ? `${w[1]} ${({ ms: 'ms', s: 's', m: 'min', h: 'h', d: 'd' } as const)[w[2] as 'ms']} ` : m[3] ? `${m[3]} ` : '';
  return `${name}, ${win}${AGG_EN[m[2]] ?? m[2]}`;
}

/** a threshold that held, in both languages: the rule's zh and en titles, the quantity named from the metric */
export function thresholdText(title: { zh: string; en: string }, kind: DeviceKind, metric: string, value: number, op: string, threshold: number, note = ''): AlarmText {
  const unit = METRICS[kind]?.[metric.split('.')[0]!]?.unit ?? '';
  const u = unit ? ` ${unit}` : '';
  return {
    zh: thresholdMessage(title.zh, kind, metric, value, op, threshold, note),
    en: withNote(`${title.en}: ${quantityEn(kind, metric)} ${fmt(value)}${u} ${OP_TEXT[op] ?? op} ${fmt(threshold)}${u}`, note),
  };
}

const EVENT_EN: Record<string, string> = { smoke: 'smoke', fire: 'flame', intrusion: 'intrusion', crowd: 'crowd', vehicle: 'vehicle', flood: 'standing water' };

/** a camera (or other event) alarm in both languages */
export function eventText(title: { zh: string; en: string }, type: string, confidence: number | undefined, value: number | undefined, repeat: number): AlarmText {
  const parts = [EVENT_EN[type] ?? type];
  if (confidence !== undefined) parts.push(`confidence ${fmt(confidence)}`);
  if (value !== undefined) parts.push(`value ${fmt(value)}`);
  if (repeat > 1) parts.push(`×${repeat}`);
  return { zh: eventMessage(title.zh, type, confidence, value, repeat), en: `${title.en}: ${parts.join(' ')}` };
}

/** a zone rule's cluster, in both languages: how many devices, within what (a township or a radius), which */
export function zoneText(title: { zh: string; en: string }, ids: readonly string[], within: { township: string } | { radiusM: number } | null): AlarmText {
  const list = ids.join(', ');
  if (!within) return { zh: `${title.zh}：${ids.length} 台设备（${list}）`, en: `${title.en}: ${ids.length} devices (${list})` };
  const zh = 'township' in within ? `乡镇 ${within.township} 内` : `${within.radiusM} 米范围内`;
  const en = 'township' in within ? `in township ${within.township}` : `within ${within.radiusM} m`;
  return { zh: `${title.zh}：${zh} ${ids.length} 台设备（${list}）`, en: `${title.en}: ${ids.length} devices ${en} (${list})` };
}

/** why a zone rule's alarm cleared: the cluster fell below its minimum */
export function zoneClearText(title: string, minDevices: number): string {
  return `${title}：不足 ${minDevices} 台设备，已恢复`;
}
