// Every string the console shows, in one dictionary. zh-CN is the default; English is a switch in the
// top bar (remembered in localStorage). Metric labels and level names come from schemas/ (METRICS,
// LEVEL_INFO) so the wording stays the same as the API's.
import { LEVEL_INFO, METRICS, type DeviceKind, type Level } from '../../../schemas/index.js';

export type Lang = 'zh' | 'en';

const zh = {
  appTitle: 'Lookout · 黄岩区应急指挥',
  incidentReport: '处置报告',
  replay: '回放',
  loginTitle: 'Lookout 应急指挥平台',
  loginSubtitle: '黄岩区 · 物联感知与应急指挥',
  username: '用户名',
  password: '密码',
  login: '登录',
  loggingIn: '正在登录…',
  loginFailed: '登录失败',
  totpTitle: '两步验证',
  totpPrompt: '请输入身份验证器 App 显示的 6 位动态码',
  totpCode: '动态码',
  totpSubmit: '验证并登录',
  totpFormat: '请输入 6 位数字动态码',
  totpInvalid: '动态码错误或已使用，请输入 App 中的下一个动态码（并核对手机时间）',
  back: '返回',
  enrolTitle: '绑定身份验证器',
  enrolWhy: '管理员账号须启用两步验证（等保三级）',
  enrolIntro: '用手机上的身份验证器 App（如 Microsoft Authenticator、Google 身份验证器、FreeOTP）扫描二维码，或手动输入下面的密钥。',
  enrolQrAlt: '身份验证器二维码',
  enrolKey: '密钥（基于时间 · 6 位 · 30 秒）',
  enrolUri: '配置链接 (otpauth://)',
  enrolThen: '添加后，输入 App 显示的 6 位动态码完成绑定。密钥仅显示这一次，10 分钟内有效。',
  enrolSubmit: '绑定并登录',
  enrolExpired: '绑定已超时，请扫描新的二维码',
  logout: '退出',
  dutyOfficer: '值班员',
  startDuty: '开始值班',
  soundOn: '声音开',
  soundOff: '声音关',
  connected: '实时连接',
  connecting: '正在连接…',
  disconnected: '连接中断 · 重连中',
  secondsAgo: '{n} 秒前',
  minutesAgo: '{n} 分钟前',
  noPushYet: '尚未收到推送',
  online: '在线',
  readingsPerSec: '条/秒',
  deadLetters: '死信',
  perHour: '/小时',
  tabOpen: '待处置',
  tabActive: '处置中',
  tabClosed: '近24h已关闭',
  tabFaults: '设备故障',
  filterCategory: '类别',
  filterLevel: '级别',
  filterTownship: '乡镇',
  filterStatus: '状态',
  all: '全部',
  noIncidents: '暂无事件',
  eventIncidents: '{n} 个险情',
  eventTownships: '{n} 个乡镇',
  drillEnd: '结束演练',
  drillEndConfirm: '结束演练：关闭全部演练告警、险情和事件（保留以供复盘）？',
  drillEnded: '演练已结束：关闭 {incidents} 个险情、{events} 个事件',
  overdue: '超时',
  unacknowledged: '未确认',
  drill: '演练',
  drillBanner: '演 练 · 演练数据，不发送真实通知',
  ack: '确认',
  dispatch: '派单',
  resolve: '处置完成',
  close: '关闭',
  cancel: '取消',
  submit: '提交',
  note: '备注（必填）',
  assignee: '责任人 / 单位',
  reason: '关闭原因',
  reasonHandled: '处置完成',
  reasonFalse: '误报',
  reasonDrill: '演练',
  reasonDuplicate: '重复',
  reasonSensor: '传感器故障',
  lower: '降级',
  mute: '消音',
  lowerTo: '降至',
  lowerOffered: '可降级 → {level}',
  mutedUntil: '已消音至 {time}',
  muteMinutes: '消音时长（分钟）',
  eventAck: '全部确认',
  eventAckTitle: '确认事件的全部险情（一条备注，各险情时间线各记一条）',
  muteTitle: '消音：在设定时间内不再响铃（不代表已确认）',
  mutedShort: '已消音 {time}',
  floodBanner: '告警洪流：10 分钟内 {n} 条新告警（超过 10 条）· 队列已按事件折叠',
  shelve: '暂缓',
  shelveTitle: '暂缓此传感器：暂缓期间不产生告警（须说明原因，最长一个班次）',
  shelveReason: '暂缓原因',
  shelveMinutes: '暂缓时长（分钟，最长 {max}）',
  shelvedUntil: '已暂缓至 {time}（{user}）：{reason}',
  unshelve: '取消暂缓',
  shelveDone: '已暂缓 {device}',
  unshelveDone: '已取消暂缓 {device}',
  reasonRequired: '请填写原因',
  forceClose: '仍有 {n} 条告警未解除：强制{action}（须选原因；仍未解除的告警将生成关联事件）',
  forceNeeded: '仍有告警未解除，请勾选强制并选择原因',
  noteRequired: '请填写备注',
  assigneeRequired: '请填写责任人',
  actionDone: '已提交：{action}',
  actionFailed: '操作失败：{msg}',
  device: '设备',
  devices: '设备',
  kind: '类型',
  state: '状态',
  township: '乡镇/街道',
  lastSeen: '最近上报',
  latestValues: '最新数据',
  noValues: '暂无数据',
  battery: '电量',
  history: '历史趋势',
  metric: '指标',
  noHistory: '该时段无数据',
  snapshot: '最新抓拍',
  stream: '打开视频流',
  openAlarms: '活动告警',
  noAlarms: '无活动告警',
  timeline: '时间线',
  status: '状态',
  level: '级别',
  category: '类别',
  place: '位置',
  duration: '持续',
  opened: '发生时间',
  assigneeLabel: '责任人',
  none: '—',
  closeDrawer: '关闭面板',
  search: '搜索 (/)：设备、地点、事件',
  noResults: '无匹配结果',
  outOfView: '视野外',
  approx: '近似',
  legendLine1: 'Ⅰ 八角 红 · Ⅱ 菱形 橙 · Ⅲ 三角 黄 · Ⅳ 圆 蓝 · 灰 = 正常 · 空心 = 离线',
  legendLine2: '簇颜色/形状 = 簇内最高级别 · 数字 = 活动告警数（灰色为设备数）',
  basemapNote: '底图为近似示意（乡镇区域由中心点推算），非正式行政边界',
  sessionExpired: '登录已过期，请重新登录',
  viewerNote: '只读账号：无处置权限',
  bigScreen: '大屏',
  exitBigScreen: '退出大屏',
  admin: '设备管理',
  addDevice: '新增设备',
  deviceId: '设备编号',
  name: '名称',
  lon: '经度',
  lat: '纬度',
  tokenOnce: '设备令牌（仅显示一次，请妥善保存）：',
  shortcutsHelp: '快捷键：A 确认 · D 派单 · R 处置完成 · C 关闭 · J/K 上下 · / 搜索 · Esc 关闭',
  notifTitle: '新{level}：{title}',
  more: '更多',
  range1h: '1小时',
  range6h: '6小时',
  range24h: '24小时',
  range7d: '7天',
  systemUser: '系统',
  duskUnit: { d: '天', h: '时', m: '分', s: '秒' },
  stale: '超时未上报',
  supervisor: '值班统计（近24小时）',
  supervisorBtn: '统计',
  alarmsPer10Min: '每10分钟告警数',
  mtta: '平均确认时长',
  falseRate: '误报率',
  floods: '告警风暴（>10条/10分钟）次数',
  floodNow: '当前告警风暴',
  noisy: '告警最多的10个传感器',
  menuMore: '更多',
  showAll: '全部 {n}',
  showFewer: '收起',
  sensorsN: '{n} 个传感器',
  late: '迟到',
  language: '语言',
  wallExit: '退出大屏 (Esc)',
  wallOpen: '未结事件',
  wallOnline: '设备在线',
  wallRate: '数据 条/秒',
  wallEvents: '近1小时新事件',
  wallNewest: '最新红色/橙色事件',
  wallNone: '暂无红色/橙色事件',
  lostBanner: '连接已中断 · 以下为 {ago} 前的数据，不是实时状态 · 正在自动重连',
  lostNever: '连接已中断 · 尚未收到数据 · 正在自动重连',
  shownOf: '显示 {n} / {total}',
  snapshotNone: '该摄像头没有抓拍图像',
  devicesTitle: '设备管理',
  devSearch: '搜索编号或名称',
  devAnyKind: '全部类型',
  devAnyTownship: '全部乡镇',
  devAnyState: '全部状态',
  stOnline: '在线',
  stOffline: '离线',
  stAlarm: '告警中',
  stNormal: '正常',
  stFault: '故障',
  showRetired: '已退役设备',
  pageOf: '第 {from}–{to} 条，共 {total} 条',
  prevPage: '上一页',
  nextPage: '下一页',
  backToList: '返回列表',
  attributes: '站点参数（阈值）',
  noAttributes: '无站点参数',
  edit: '编辑',
  save: '保存',
  retire: '退役',
  restore: '恢复',
  rotateToken: '更换令牌',
  revokeToken: '吊销令牌',
  retired: '已退役',
  tokenRevokedTag: '令牌已吊销',
  confirmRetire: '退役后该设备立即断开并不能再登录，历史数据保留。确定退役 {id}？',
  confirmRotate: '更换后旧令牌立即失效，设备的当前连接会断开。确定为 {id} 更换令牌？',
  confirmRevoke: '吊销后设备立即断开，在签发新令牌前无法登录。确定吊销 {id} 的令牌？',
  saved: '已保存',
  kindLegend: '设备类型：燃 燃气 · 水 水质 · 汛 水位雨量 · 气 空气质量 · 声 噪声 · 地 地灾 · 视 视频',
} as const;

type Dict = { [K in keyof typeof zh]: (typeof zh)[K] extends string ? string : { d: string; h: string; m: string; s: string } };

const en: Dict = {
  appTitle: 'Lookout · Huangyan Emergency Command',
  incidentReport: 'Incident report',
  replay: 'Replay',
  loginTitle: 'Lookout emergency command',
  loginSubtitle: 'Huangyan District · IoT sensing and dispatch',
  username: 'Username',
  password: 'Password',
  login: 'Log in',
  loggingIn: 'Logging in…',
  loginFailed: 'Login failed',
  totpTitle: 'Two-step verification',
  totpPrompt: 'enter the 6-digit code from your authenticator app',
  totpCode: 'Code',
  totpSubmit: 'Verify and log in',
  totpFormat: 'Enter the 6-digit code',
  totpInvalid: 'Wrong or already used code: enter the next code of your app (and check the phone’s clock)',
  back: 'Back',
  enrolTitle: 'Set up your authenticator',
  enrolWhy: 'administrator accounts need two-step verification (MLPS level 3)',
  enrolIntro: 'Scan the QR code with an authenticator app on your phone (e.g. Microsoft Authenticator, Google Authenticator, FreeOTP), or type in the key below.',
  enrolQrAlt: 'QR code for the authenticator app',
  enrolKey: 'Key (time-based · 6 digits · 30 s)',
  enrolUri: 'Setup link (otpauth://)',
  enrolThen: 'Then enter the 6-digit code the app shows. The key is shown only this once and is valid for 10 minutes.',
  enrolSubmit: 'Set up and log in',
  enrolExpired: 'The setup timed out: scan the new QR code',
  logout: 'Log out',
  dutyOfficer: 'On duty',
  startDuty: 'Start duty',
  soundOn: 'Sound on',
  soundOff: 'Sound off',
  connected: 'Live',
  connecting: 'Connecting…',
  disconnected: 'Disconnected · retrying',
  secondsAgo: '{n} s ago',
  minutesAgo: '{n} min ago',
  noPushYet: 'no push yet',
  online: 'Online',
  readingsPerSec: 'readings/s',
  deadLetters: 'Dead letters',
  perHour: '/h',
  tabOpen: 'To handle',
  tabActive: 'In progress',
  tabClosed: 'Closed 24 h',
  tabFaults: 'Device faults',
  filterCategory: 'Category',
  filterLevel: 'Level',
  filterTownship: 'Township',
  filterStatus: 'Status',
  all: 'All',
  noIncidents: 'No incidents',
  eventIncidents: '{n} incidents',
  eventTownships: '{n} townships',
  drillEnd: 'End drill',
  drillEndConfirm: 'End the drill: close every drill alarm, incident and event (kept for review)?',
  drillEnded: 'Drill ended: {incidents} incidents, {events} events closed',
  overdue: 'overdue',
  unacknowledged: 'unacknowledged',
  drill: 'DRILL',
  drillBanner: 'DRILL · exercise data, no real notifications',
  ack: 'Acknowledge',
  dispatch: 'Dispatch',
  resolve: 'Resolve',
  close: 'Close',
  cancel: 'Cancel',
  submit: 'Submit',
  note: 'Note (required)',
  assignee: 'Assignee / unit',
  reason: 'Reason for closing',
  reasonHandled: 'Handled',
  reasonFalse: 'False alarm',
  reasonDrill: 'Drill',
  reasonDuplicate: 'Duplicate',
  reasonSensor: 'Sensor fault',
  lower: 'Lower level',
  mute: 'Mute',
  lowerTo: 'Lower to',
  lowerOffered: 'May be lowered → {level}',
  mutedUntil: 'Muted until {time}',
  muteMinutes: 'Mute for (minutes)',
  eventAck: 'Acknowledge all',
  eventAckTitle: 'Acknowledge every incident of the event (one note, one entry in each incident\'s timeline)',
  muteTitle: 'Mute: no tone for the chosen time (does not acknowledge)',
  mutedShort: 'Muted {time}',
  floodBanner: 'Alarm flood: {n} new alarms in 10 min (more than 10) · the queue is collapsed to events',
  shelve: 'Shelve',
  shelveTitle: 'Shelve this sensor: it raises no alarm while shelved (a reason is required, at most one shift)',
  shelveReason: 'Reason for shelving',
  shelveMinutes: 'Shelve for (minutes, at most {max})',
  shelvedUntil: 'Shelved until {time} ({user}): {reason}',
  unshelve: 'Unshelve',
  shelveDone: '{device} shelved',
  unshelveDone: '{device} unshelved',
  reasonRequired: 'Please give a reason',
  forceClose: '{n} alarm(s) still active: force {action} (a reason is required; an alarm still active opens a linked incident)',
  forceNeeded: 'Alarms are still active: tick "force" and choose a reason',
  noteRequired: 'A note is required',
  assigneeRequired: 'An assignee is required',
  actionDone: 'Done: {action}',
  actionFailed: 'Action failed: {msg}',
  device: 'Device',
  devices: 'Devices',
  kind: 'Kind',
  state: 'State',
  township: 'Township',
  lastSeen: 'Last seen',
  latestValues: 'Latest values',
  noValues: 'No data yet',
  battery: 'Battery',
  history: 'History',
  metric: 'Metric',
  noHistory: 'No data in this period',
  snapshot: 'Latest snapshot',
  stream: 'Open video stream',
  openAlarms: 'Active alarms',
  noAlarms: 'No active alarms',
  timeline: 'Timeline',
  status: 'Status',
  level: 'Level',
  category: 'Category',
  place: 'Place',
  duration: 'Duration',
  opened: 'Opened',
  assigneeLabel: 'Assignee',
  none: '—',
  closeDrawer: 'Close panel',
  search: 'Search (/): device, place, incident',
  noResults: 'No match',
  outOfView: 'out of view',
  approx: 'approx.',
  legendLine1: 'Ⅰ octagon red · Ⅱ diamond orange · Ⅲ triangle yellow · Ⅳ circle blue · grey = normal · hollow = offline',
  legendLine2: 'Cluster colour/shape = worst level inside · number = active alarms (grey: devices)',
  basemapNote: 'Approximate basemap (zones derived from township centres), not official boundaries',
  sessionExpired: 'Session expired, please log in again',
  viewerNote: 'Read-only account: no actions',
  bigScreen: 'Wall',
  exitBigScreen: 'Exit wall',
  admin: 'Devices',
  addDevice: 'Add device',
  deviceId: 'Device id',
  name: 'Name',
  lon: 'Longitude',
  lat: 'Latitude',
  tokenOnce: 'Device token (shown only once, keep it safe):',
  shortcutsHelp: 'Keys: A acknowledge · D dispatch · R resolve · C close · J/K move · / search · Esc close',
  notifTitle: 'New {level}: {title}',
  more: 'more',
  range1h: '1 h',
  range6h: '6 h',
  range24h: '24 h',
  range7d: '7 d',
  systemUser: 'system',
  duskUnit: { d: 'd', h: 'h', m: 'm', s: 's' },
  stale: 'overdue report',
  supervisor: 'Supervisor (last 24 h)',
  supervisorBtn: 'Stats',
  alarmsPer10Min: 'Alarms per 10 min',
  mtta: 'Mean time to acknowledge',
  falseRate: 'False-alarm rate',
  floods: 'Alarm floods (>10 per 10 min)',
  floodNow: 'Flood now',
  noisy: 'Top 10 noisiest sensors',
  menuMore: 'More',
  showAll: 'All {n}',
  showFewer: 'Fewer',
  sensorsN: '{n} sensors',
  late: 'late',
  language: 'Language',
  wallExit: 'Exit wall (Esc)',
  wallOpen: 'Open incidents',
  wallOnline: 'Devices online',
  wallRate: 'Readings/s',
  wallEvents: 'New in the last hour',
  wallNewest: 'Newest red/orange incidents',
  wallNone: 'No red or orange incidents',
  lostBanner: 'Connection lost · the data below is from {ago} ago, not live · reconnecting',
  lostNever: 'Connection lost · no data received yet · reconnecting',
  shownOf: 'Showing {n} of {total}',
  snapshotNone: 'This camera has no snapshot',
  devicesTitle: 'Devices',
  devSearch: 'Search id or name',
  devAnyKind: 'All kinds',
  devAnyTownship: 'All townships',
  devAnyState: 'All states',
  stOnline: 'Online',
  stOffline: 'Offline',
  stAlarm: 'In alarm',
  stNormal: 'Normal',
  stFault: 'Fault',
  showRetired: 'Retired devices',
  pageOf: '{from}–{to} of {total}',
  prevPage: 'Previous',
  nextPage: 'Next',
  backToList: 'Back to the list',
  attributes: 'Station parameters (thresholds)',
  noAttributes: 'No station parameters',
  edit: 'Edit',
  save: 'Save',
  retire: 'Retire',
  restore: 'Restore',
  rotateToken: 'Rotate token',
  revokeToken: 'Revoke token',
  retired: 'Retired',
  tokenRevokedTag: 'token revoked',
  confirmRetire: 'A retired device is disconnected at once and can no longer log in; its history stays. Retire {id}?',
  confirmRotate: 'The old token stops working at once and the device is disconnected. Rotate the token of {id}?',
  confirmRevoke: 'The device is disconnected at once and cannot log in until a new token is issued. Revoke the token of {id}?',
  saved: 'Saved',
  kindLegend: 'Device kinds: G gas · W water · F flood · A air · N noise · S geohazard (slope) · C camera',
};

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
