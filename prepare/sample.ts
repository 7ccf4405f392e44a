// `npm run demo`'s preparedness sample for Huangyan (app/commands/demo.ts): a rescue team per township,
// district and township warehouses with GB/T 38565 supplies, shelters, medical points, vehicles, vulnerable
// sites (schools, elderly homes, a hospital), and one plan per hazard category. Positions are offsets from
// the townships' approximate centres (app/data/townships.json): illustrative places, not surveyed ones.
import type { PlanInput, ResourceInput, VulnerableSiteInput } from '../schemas/index.js';

export interface SampleTownship {
  code: string;
  name: string;
  center: [number, number];
}

const at = (t: SampleTownship, dLon: number, dLat: number) => ({ lon: Math.round((t.center[0] + dLon) * 1e5) / 1e5, lat: Math.round((t.center[1] + dLat) * 1e5) / 1e5 });

export function sampleResources(townships: readonly SampleTownship[]): { id: string; body: ResourceInput }[] {
  const out: { id: string; body: ResourceInput }[] = [];
  for (const [i, t] of townships.entries()) {
    const n = t.code.slice(-3);
    out.push({ id: `DEMO-TEAM-${n}`, body: { kind: 'team', name: `${t.name}应急救援队`, ...at(t, 0.004, 0.003), township: t.code, unit: `${t.name}人民政府`, leader: '队长（示例）', people: 12 + (i % 4) * 4, skills: i % 2 ? ['水上救援', '抢险排涝'] : ['山地搜救', '森林灭火'], contact: '示例' } });
    out.push({ id: `DEMO-SHELTER-${n}`, body: { kind: 'shelter', name: `${t.name}避灾安置点`, ...at(t, -0.003, 0.002), township: t.code, unit: `${t.name}人民政府`, capacity: 200 + (i % 5) * 100, occupancy: 0, facilities: ['饮用水', '照明', '卫生间'] } });
    if (i % 3 === 0) out.push({ id: `DEMO-WH-${n}`, body: { kind: 'warehouse', name: `${t.name}物资储备点`, ...at(t, 0.002, -0.004), township: t.code, unit: `${t.name}人民政府`, supplies: [{ category: 'living', name: '折叠床', quantity: 100, unit: '张' }, { category: 'living', name: '棉被', quantity: 200, unit: '床' }, { category: 'equipment', name: '救生衣', quantity: 80, unit: '件' }] } });
    if (i % 4 === 0) out.push({ id: `DEMO-MED-${n}`, body: { kind: 'medical', name: `${t.name}卫生院`, ...at(t, -0.002, -0.003), township: t.code, unit: '区卫生健康局', capacity: 30, facilities: ['急诊', '救护车'] } });
  }
  const seat = townships.find((t) => t.code.endsWith('001')) ?? townships[0]!;
  out.push({ id: 'DEMO-WH-DISTRICT', body: { kind: 'warehouse', name: '黄岩区应急物资储备库', ...at(seat, 0.01, -0.006), township: null, unit: '黄岩区应急管理局', supplies: [{ category: 'living', name: '帐篷', quantity: 300, unit: '顶' }, { category: 'equipment', name: '冲锋舟', quantity: 12, unit: '艘' }, { category: 'equipment', name: '排涝泵', quantity: 20, unit: '台' }, { category: 'engineering', name: '编织袋', quantity: 20000, unit: '只' }] } });
  out.push({ id: 'DEMO-VEH-1', body: { kind: 'vehicle', name: '区消防救援大队 抢险车', ...at(seat, 0.006, 0.002), township: null, unit: '黄岩区消防救援大队', model: '抢险救援车（示例）' } });
  out.push({ id: 'DEMO-EQ-1', body: { kind: 'equipment', name: '大流量排水车', ...at(seat, 0.008, -0.002), township: null, unit: '黄岩区应急管理局', model: '3000 m³/h（示例）' } });
  out.push({ id: 'DEMO-MED-DISTRICT', body: { kind: 'medical', name: '黄岩区第一人民医院', ...at(seat, -0.006, 0.001), township: null, unit: '区卫生健康局', capacity: 800, facilities: ['急诊', '重症'] } });
  return out;
}

/** vulnerable sites: a school in every other township, elderly homes, and the district seat's hospital and kindergarten */
export function sampleSites(townships: readonly SampleTownship[]): { id: string; body: VulnerableSiteInput }[] {
  const out: { id: string; body: VulnerableSiteInput }[] = [];
  for (const [i, t] of townships.entries()) {
    const n = t.code.slice(-3);
    if (i % 2 === 0) out.push({ id: `DEMO-SCH-${n}`, body: { kind: 'school', name: `${t.name}中心小学`, ...at(t, 0.003, -0.002), township: t.code, unit: '区教育局', contact: '示例', capacity: 400 + (i % 3) * 200 } });
    if (i % 5 === 0) out.push({ id: `DEMO-ELD-${n}`, body: { kind: 'elderly-home', name: `${t.name}敬老院`, ...at(t, -0.004, -0.001), township: t.code, unit: '区民政局', contact: '示例', capacity: 60 } });
  }
  const seat = townships.find((t) => t.code.endsWith('001')) ?? townships[0]!;
  out.push({ id: 'DEMO-HOSP-1', body: { kind: 'hospital', name: '黄岩区中医院', ...at(seat, -0.005, 0.004), township: null, unit: '区卫生健康局', contact: '示例', capacity: 500 } });
  out.push({ id: 'DEMO-KG-1', body: { kind: 'kindergarten', name: '东城中心幼儿园', ...at(seat, 0.001, 0.005), township: seat.code, unit: '区教育局', contact: '示例', capacity: 300 } });
  return out;
}

const item = (id: string, text: string, from?: PlanInput['checklist'][number]['from']) => ({ id, text, ...(from ? { from } : {}) });

/** one plan per hazard category the demo's drills and the supervision register use */
export function samplePlans(): { id: string; body: PlanInput }[] {
  const common = (what: string) => [item('notify', `通知责任单位和属地乡镇（街道）${what}`), item('duty', '值班领导到岗, 启动24小时值守')];
  return [
    { id: 'DEMO-PLAN-FLOOD', body: { name: '黄岩区防汛应急预案（示例）', category: 'flood', levels: ['IV', 'III', 'II', 'I'], triggers: ['水位达到警戒水位', '永宁江潮位超警'], units: ['区防指', '区水利局'], checklist: [...common('防汛'), item('patrol', '加密堤防和水闸巡查'), item('evacuate', '转移低洼地带和地下空间人员', 'II'), item('close-road', '封控漫水路段和下穿通道', 'II'), item('army', '请求部队和专业队伍增援', 'I')], stage: [{ kind: 'team', count: 2 }, { kind: 'equipment', count: 1 }] } },
    { id: 'DEMO-PLAN-RAIN', body: { name: '黄岩区暴雨应急预案（示例）', category: 'rainstorm', levels: ['IV', 'III', 'II', 'I'], triggers: ['暴雨预警信号'], units: ['区防指', '区气象局'], checklist: [...common('暴雨'), item('drain', '启动城区排涝, 清理雨水口'), item('evacuate', '转移山洪和地质灾害危险区人员', 'II')], stage: [{ kind: 'team', count: 2 }] } },
    { id: 'DEMO-PLAN-GEO', body: { name: '黄岩区地质灾害应急预案（示例）', category: 'geo', levels: ['IV', 'III', 'II', 'I'], triggers: ['监测点切线角超阈值', '隐患点巡查发现变形'], units: ['区自然资源和规划分局', '属地乡镇'], checklist: [...common('地质灾害'), item('watch', '安排专人监测隐患点'), item('evacuate', '转移威胁范围内群众', 'III'), item('close', '设立警戒区, 禁止进入', 'II')], stage: [{ kind: 'team', count: 1 }, { kind: 'shelter', count: 1 }] } },
    { id: 'DEMO-PLAN-GAS', body: { name: '黄岩区燃气事故应急预案（示例）', category: 'gas', levels: ['III', 'II', 'I'], triggers: ['可燃气体浓度超限', '管网压力异常'], units: ['区综合行政执法局', '燃气公司'], checklist: [...common('燃气'), item('valve', '关闭上游阀门'), item('cordon', '设立警戒, 疏散周边 500 m 人员', 'II'), item('fire', '消防队伍现场待命', 'II')], stage: [{ kind: 'team', count: 1 }, { kind: 'vehicle', count: 1 }] } },
    { id: 'DEMO-PLAN-FIRE', body: { name: '黄岩区森林火灾应急预案（示例）', category: 'fire', levels: ['IV', 'III', 'II', 'I'], triggers: ['视频烟火识别', '群众报警'], units: ['区森林防灭火指挥部'], checklist: [...common('森林防火'), item('teams', '调派就近扑火队伍'), item('evacuate', '转移火场周边村民', 'II')], stage: [{ kind: 'team', count: 3 }] } },
  ];
}
