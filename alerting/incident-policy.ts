// Incident policy, as tables: which alarms join an incident (correlation, per category), when an
// unacknowledged incident moves up a tier (escalation, per level), the incident titles per category, and
// the dispatch lifecycle's allowed transitions. incidents.ts (IncidentBook) applies them.
import type { IncidentAction, IncidentCategory, IncidentStatus, TimelineType } from '../schemas/model.js';
import type { Level } from '../schemas/levels.js';

export interface CorrelationSpec {
  /** alarms within this distance (m) of any device of the incident join it */
  radiusM: number;
  /** alarms from the same township join it */
  sameTownship: boolean;
  /** an incident with no open alarm still takes related alarms this long after its last activity */
  overlapMs: number;
}

export const DEFAULT_CORRELATION: Record<IncidentCategory, CorrelationSpec> = {
  flood: { radiusM: 3000, sameTownship: true, overlapMs: 3_600_000 },
  rainstorm: { radiusM: 5000, sameTownship: true, overlapMs: 3_600_000 },
  gas: { radiusM: 500, sameTownship: false, overlapMs: 1_800_000 },
  air: { radiusM: 3000, sameTownship: true, overlapMs: 3_600_000 },
  water: { radiusM: 2000, sameTownship: false, overlapMs: 3_600_000 },
  noise: { radiusM: 300, sameTownship: false, overlapMs: 1_800_000 },
  geo: { radiusM: 1000, sameTownship: false, overlapMs: 3_600_000 },
  fire: { radiusM: 500, sameTownship: false, overlapMs: 1_800_000 },
  camera: { radiusM: 300, sameTownship: false, overlapMs: 1_800_000 },
  'device-fault': { radiusM: 2000, sameTownship: true, overlapMs: 3_600_000 },
  system: { radiusM: 0, sameTownship: false, overlapMs: 0 },
};

export interface EscalationConfig {
  /** unacknowledged this long (per level) → next tier; repeats every interval up to maxTier */
  afterMs: Record<Level, number>;
  maxTier: number;
  /** names of the tiers (tier 0 = duty dispatcher) */
  tiers: string[];
}

export const DEFAULT_ESCALATION: EscalationConfig = {
  afterMs: { red: 2 * 60_000, orange: 10 * 60_000, yellow: 30 * 60_000, blue: 60 * 60_000 },
  maxTier: 3,
  // Chinese only: timeline texts show in zh-CN mode as they are (the console's English switch names tiers by number)
  tiers: ['值班员', '值班长', '值班领导', '分管领导'],
};

export const TITLE_ZH: Record<IncidentCategory, string> = {
  flood: '洪水', rainstorm: '暴雨', gas: '燃气泄漏', air: '空气污染', water: '水质超标', noise: '噪声超标',
  geo: '地质灾害', fire: '烟火', camera: '视频告警', 'device-fault': '设备故障', system: '系统',
};

/**
 * Levels hold (issue "storm-proof warnings"; a published warning level is a decision that stands until a person
 * lowers it): an incident's level rises at once with its alarms and never falls by itself. Once every alarm has
 * stayed below the level this long, the incident offers "可降级" and a dispatcher lowers it (action `lower`).
 */
export const LOWER_DWELL_MS: Record<IncidentCategory, number> = {
  flood: 30 * 60_000, rainstorm: 30 * 60_000, gas: 30 * 60_000, air: 30 * 60_000, water: 30 * 60_000, noise: 30 * 60_000,
  geo: 30 * 60_000, fire: 30 * 60_000, camera: 30 * 60_000, 'device-fault': 30 * 60_000, system: 30 * 60_000,
};

/** the actions that move an incident through its dispatch lifecycle (`lower`, `mute` leave the status alone) */
export type StatusAction = Exclude<IncidentAction, 'lower' | 'mute'>;

/** allowed source statuses per action */
export const TRANSITIONS: Record<StatusAction, { from: IncidentStatus[]; to: IncidentStatus; type: TimelineType }> = {
  ack: { from: ['open'], to: 'acknowledged', type: 'acknowledged' },
  dispatch: { from: ['open', 'acknowledged'], to: 'dispatched', type: 'dispatched' },
  resolve: { from: ['open', 'acknowledged', 'dispatched'], to: 'resolved', type: 'resolved' },
  close: { from: ['open', 'acknowledged', 'dispatched', 'resolved'], to: 'closed', type: 'closed' },
};

/** the statuses in which an incident takes new alarms and escalates */
export const ACTIVE: ReadonlySet<IncidentStatus> = new Set(['open', 'acknowledged', 'dispatched']);

/** timeline words in Chinese (the console's zh-CN shows no English): statuses and close reasons */
export const STATUS_ZH: Record<string, string> = { open: '待确认', acknowledged: '已确认', dispatched: '已派单', resolved: '已处置', closed: '已关闭' };
export const REASON_ZH: Record<string, string> = { handled: '处置完成', 'false-alarm': '误报', 'sensor-fault': '传感器故障', drill: '演练', duplicate: '重复' };
