// `npm run demo`'s supervision sample for Huangyan (app/commands/demo.ts): hazard points of each kind in the
// townships where they are typical (geohazards in the western hills, flood-prone spots along the Yongning
// River, gas and fire risks in town) and a few risk targets, with inspection cycles. Illustrative places at
// offsets from the townships' approximate centres, not the district's real register.
import type { TargetInput } from '../schemas/index.js';

export interface SampleTownship {
  code: string;
  name: string;
  center: [number, number];
}

const PLACES: [string, TargetInput['register'], TargetInput['kind'], string, TargetInput['grade'], number][] = [
  // township code suffix, register, kind, name, grade, cycle (days)
  ['101', 'hazard', 'geohazard', '宁溪镇滑坡隐患点', 'significant', 7],
  ['204', 'hazard', 'geohazard', '上垟乡崩塌隐患点', 'general', 7],
  ['200', 'hazard', 'geohazard', '屿头乡泥石流沟', 'significant', 7],
  ['202', 'hazard', 'geohazard', '富山乡不稳定斜坡', 'general', 14],
  ['001', 'hazard', 'flood-prone', '东城下穿通道易涝点', 'significant', 1],
  ['007', 'hazard', 'flood-prone', '江口永宁江堤段', 'major', 1],
  ['004', 'hazard', 'flood-prone', '北城低洼小区', 'general', 3],
  ['002', 'hazard', 'gas', '南城老旧燃气管段', 'significant', 7],
  ['003', 'hazard', 'building', '西城危旧房', 'general', 30],
  ['107', 'hazard', 'fire-risk', '院桥镇林区防火点', 'general', 7],
  ['102', 'hazard', 'tunnel', '北洋隧道', 'general', 30],
  ['004', 'risk', 'key-enterprise', '北城燃气储配站', 'major', 7],
  ['007', 'risk', 'high-risk-place', '江口化工仓库', 'significant', 7],
  ['001', 'risk', 'high-risk-cluster', '东城人员密集商圈', 'general', 14],
];

export function sampleTargets(townships: readonly SampleTownship[]): { id: string; body: TargetInput }[] {
  return PLACES.flatMap(([suffix, register, kind, name, grade, cycleDays], i) => {
    const t = townships.find((x) => x.code.endsWith(suffix));
    if (!t) return [];
    const lon = Math.round((t.center[0] + 0.006 * Math.cos(i)) * 1e5) / 1e5;
    const lat = Math.round((t.center[1] + 0.006 * Math.sin(i)) * 1e5) / 1e5;
    return [{ id: `DEMO-${register === 'hazard' ? 'HZ' : 'RT'}-${String(i + 1).padStart(2, '0')}`, body: { register, kind, name: `${name}（示例）`, lon, lat, township: t.code, grade, unit: `${t.name}人民政府`, person: '责任人（示例）', cycleDays, checkItems: ['现场无新增变形或险情', '警示标志完好', '责任人在岗'] } }];
  });
}
