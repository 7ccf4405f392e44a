// The demo's organisation (`lookout demo`): the district emergency bureau, four townships and the city, with
// 24-hour rotations from today 08:00 China time. Invented names; no phone numbers and only example.invalid
// addresses, and the demo has no channels — its drills page nobody.
import type { OrgSnapshot } from './org-book.js';

const TOWNSHIPS: [string, string, string][] = [
  ['yq', '院桥镇', '331003107'],
  ['nx', '宁溪镇', '331003101'],
  ['by', '北洋镇', '331003102'],
  ['jk', '江口街道', '331003007'],
];

export function sampleOrg(now: number): Partial<OrgSnapshot> {
  const day = 86_400_000;
  // today 08:00 +08:00 (00:00 UTC), or yesterday's when it is not yet 08:00
  const startsAt = Math.floor(now / day) * day;
  const person = (id: string, name: string, unit: string) => ({ id, name, mobile: null, email: `${id}@example.invalid`, zzdAccountId: null, unitIds: [unit] });
  const units: OrgSnapshot['units'] = [
    { id: 'tz-yjj', name: '台州市应急管理局', tier: 'city', kind: 'department', parentId: null, townships: [], categories: [] },
    { id: 'hy-yjj', name: '黄岩区应急管理局', tier: 'district', kind: 'department', parentId: null, townships: [], categories: [] },
    ...TOWNSHIPS.map(([k, name, code]) => ({ id: `${k}-gov`, name: `${name}人民政府`, tier: 'township' as const, kind: 'township' as const, parentId: 'hy-yjj', townships: [code], categories: [] })),
  ];
  const people: OrgSnapshot['people'] = [
    person('demo-city-1', '市值班员（演示）', 'tz-yjj'),
    person('demo-hy-1', '区值班员甲（演示）', 'hy-yjj'),
    person('demo-hy-2', '区值班员乙（演示）', 'hy-yjj'),
    person('demo-hy-lead', '区值班领导（演示）', 'hy-yjj'),
    ...TOWNSHIPS.flatMap(([k, name]) => [person(`demo-${k}-1`, `${name}值班员甲（演示）`, `${k}-gov`), person(`demo-${k}-2`, `${name}值班员乙（演示）`, `${k}-gov`), person(`demo-${k}-lead`, `${name}值班领导（演示）`, `${k}-gov`)]),
  ];
  const rotations: OrgSnapshot['rotations'] = [
    { id: 'rot-city', unitId: 'tz-yjj', startsAt, shiftHours: 24, officers: ['demo-city-1'], leaders: [] },
    { id: 'rot-hy', unitId: 'hy-yjj', startsAt, shiftHours: 24, officers: ['demo-hy-1', 'demo-hy-2'], leaders: ['demo-hy-lead'] },
    ...TOWNSHIPS.map(([k]) => ({ id: `rot-${k}`, unitId: `${k}-gov`, startsAt, shiftHours: 24, officers: [`demo-${k}-1`, `demo-${k}-2`], leaders: [`demo-${k}-lead`] })),
  ];
  return { units, people, rotations };
}
