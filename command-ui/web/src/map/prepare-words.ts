// Names of the preparedness vocabulary (resource kinds and statuses, hazard and risk kinds, grades,
// vulnerable-site kinds) in zh-CN and English, as docs/prepare.md lists them. Kept as [zh, en] pairs so
// neither language can be missing a word.
import type { DeviceKind } from '../../../../schemas/index.js';
import { getLang, kindName } from '../i18n.js';

type Pair = [string, string];

const RESOURCE_KIND: Record<string, Pair> = {
  team: ['救援队伍', 'Rescue team'],
  warehouse: ['物资仓库', 'Warehouse'],
  equipment: ['装备', 'Equipment'],
  vehicle: ['车辆', 'Vehicle'],
  shelter: ['避难场所', 'Shelter'],
  medical: ['医疗点', 'Medical point'],
};
const RESOURCE_STATUS: Record<string, Pair> = {
  standby: ['待命', 'Standby'],
  deployed: ['出动', 'Deployed'],
  resting: ['休整', 'Resting'],
  unavailable: ['停用', 'Out of service'],
};
const TARGET_KIND: Record<string, Pair> = {
  geohazard: ['地质灾害隐患点', 'Geohazard'],
  'flood-prone': ['易涝点', 'Flood-prone spot'],
  gas: ['燃气隐患', 'Gas hazard'],
  building: ['危房', 'Unsafe building'],
  tunnel: ['下穿通道', 'Underpass'],
  'fire-risk': ['火灾隐患', 'Fire risk'],
  other: ['其他隐患', 'Other hazard'],
  'key-personnel': ['重点人员', 'Key personnel'],
  'high-risk-equipment': ['高危设备', 'High-risk equipment'],
  'high-risk-place': ['高危场所', 'High-risk place'],
  'key-enterprise': ['重点企业', 'Key enterprise'],
  'high-risk-cluster': ['高危集群', 'High-risk cluster'],
  'high-risk-operation': ['高危作业', 'High-risk operation'],
};
const GRADE: Record<string, Pair> = {
  major: ['重大', 'Major'],
  significant: ['较大', 'Significant'],
  general: ['一般', 'General'],
  low: ['低', 'Low'],
};
const SITE_KIND: Record<string, Pair> = {
  school: ['学校', 'School'],
  kindergarten: ['幼儿园', 'Kindergarten'],
  hospital: ['医院', 'Hospital'],
  'elderly-home': ['养老机构', 'Elderly home'],
  other: ['其他', 'Other'],
};
const LAYER: Record<string, Pair> = {
  devices: ['监测设备', 'Sensors'],
  sensors: ['监测设备', 'Sensors'],
  incidents: ['事件', 'Incidents'],
  resources: ['应急资源', 'Resources'],
  hazards: ['隐患点', 'Hazard points'],
  risks: ['风险目标', 'Risk targets'],
  vulnerable: ['脆弱场所', 'Vulnerable sites'],
};

const pick = (table: Record<string, Pair>, k: string): string => table[k]?.[getLang() === 'zh' ? 0 : 1] ?? k;

export const resourceKindName = (k: string) => pick(RESOURCE_KIND, k);
export const resourceStatusName = (k: string) => pick(RESOURCE_STATUS, k);
export const targetKindName = (k: string) => pick(TARGET_KIND, k);
export const gradeName = (k: string) => pick(GRADE, k);
export const siteKindName = (k: string) => pick(SITE_KIND, k);
export const layerName = (k: string) => pick(LAYER, k);

/** the kind's name in the vocabulary of its layer (zone results: "resources:team") */
export function kindInLayer(layer: string, kind: string): string {
  if (layer === 'resources') return resourceKindName(kind);
  if (layer === 'hazards' || layer === 'risks') return targetKindName(kind);
  if (layer === 'vulnerable') return siteKindName(kind);
  if (layer === 'sensors') return kindName(kind as DeviceKind);
  return kind;
}
