// The review pages' own words (incident report, replay), zh-CN first with the console's English switch
// (../i18n.ts keeps the language); level, status and timeline names come from the console's dictionary.
import { getLang } from '../i18n.js';

const zh = {
  reportTitle: '事件处置报告',
  replayTitle: '事件回放',
  print: '打印 / 导出 PDF',
  toReplay: '回放',
  toReport: '报告',
  summary: '概况',
  incident: '事件',
  category: '类别',
  level: '级别',
  status: '状态',
  township: '乡镇',
  opened: '发生时间',
  closed: '关闭时间',
  closeReason: '关闭原因',
  drill: '演练',
  timeline: '处置时间线',
  time: '时间',
  entry: '事项',
  who: '操作人',
  note: '说明',
  system: '系统',
  targets: '处置时效',
  ack: '确认',
  dispatch: '派遣',
  resolve: '解决',
  target: '目标',
  actual: '实际',
  met: '达标',
  missed: '未达标',
  notYet: '未完成',
  messages: '已发布预警信息',
  reports: '信息报送',
  none: '无',
  mapSnapshot: '位置示意',
  play: '播放',
  pause: '暂停',
  ended: '回放结束',
  queue: '事件队列（回放时刻）',
  drawer: '时间线（至回放时刻）',
  loadFailed: '加载失败',
  loginFirst: '请先在指挥台登录',
};
type Dict = Record<keyof typeof zh, string>;
const en: Dict = {
  reportTitle: 'Incident report',
  replayTitle: 'Replay',
  print: 'Print / save as PDF',
  toReplay: 'Replay',
  toReport: 'Report',
  summary: 'Summary',
  incident: 'Incident',
  category: 'Category',
  level: 'Level',
  status: 'Status',
  township: 'Township',
  opened: 'Opened',
  closed: 'Closed',
  closeReason: 'Close reason',
  drill: 'Drill',
  timeline: 'Timeline',
  time: 'Time',
  entry: 'Entry',
  who: 'By',
  note: 'Note',
  system: 'system',
  targets: 'Response times',
  ack: 'Acknowledge',
  dispatch: 'Dispatch',
  resolve: 'Resolve',
  target: 'Target',
  actual: 'Actual',
  met: 'met',
  missed: 'missed',
  notYet: 'not yet',
  messages: 'Warning messages published',
  reports: 'Reports up the chain',
  none: 'none',
  mapSnapshot: 'Location',
  play: 'Play',
  pause: 'Pause',
  ended: 'Replay ended',
  queue: 'Queue (at the replayed time)',
  drawer: 'Timeline (up to the replayed time)',
  loadFailed: 'Could not load',
  loginFirst: 'Log in at the console first',
};

export function rt(key: keyof typeof zh): string {
  return (getLang() === 'zh' ? zh : en)[key];
}

/** Beijing time, as the district reads it: 2026-07-01 10:00:05 */
export function when(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function duration(ms: number | null): string {
  if (ms === null) return rt('notYet');
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return getLang() === 'zh' ? `${m} 分 ${s} 秒` : `${m} min ${s} s`;
}
