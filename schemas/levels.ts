// China's four-colour warning levels (Emergency Response Law): 一级 red (I) > 二级 orange (II) >
// 三级 yellow (III) > 四级 blue (IV). CAP mapping is the default of DOMAIN.md (no official text).

export const LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type Level = (typeof LEVELS)[number];

export const LEVEL_RANK: Record<Level, number> = { blue: 1, yellow: 2, orange: 3, red: 4 };

export interface LevelInfo {
  numeral: 'Ⅰ' | 'Ⅱ' | 'Ⅲ' | 'Ⅳ';
  roman: 'I' | 'II' | 'III' | 'IV';
  zh: string;
  en: string;
  shape: 'octagon' | 'diamond' | 'triangle' | 'circle';
  color: string;
  capSeverity: 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
  capUrgency: 'Immediate' | 'Expected';
  capCertainty: 'Observed' | 'Likely' | 'Possible';
}

export const LEVEL_INFO: Record<Level, LevelInfo> = {
  red: { numeral: 'Ⅰ', roman: 'I', zh: '红色预警', en: 'Red warning', shape: 'octagon', color: '#c8102e', capSeverity: 'Extreme', capUrgency: 'Immediate', capCertainty: 'Observed' },
  orange: { numeral: 'Ⅱ', roman: 'II', zh: '橙色预警', en: 'Orange warning', shape: 'diamond', color: '#f28c00', capSeverity: 'Severe', capUrgency: 'Immediate', capCertainty: 'Observed' },
  yellow: { numeral: 'Ⅲ', roman: 'III', zh: '黄色预警', en: 'Yellow warning', shape: 'triangle', color: '#ffd200', capSeverity: 'Moderate', capUrgency: 'Expected', capCertainty: 'Likely' },
  blue: { numeral: 'Ⅳ', roman: 'IV', zh: '蓝色预警', en: 'Blue warning', shape: 'circle', color: '#3d9be9', capSeverity: 'Minor', capUrgency: 'Expected', capCertainty: 'Possible' },
};

export function maxLevel(a: Level | null | undefined, b: Level | null | undefined): Level | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
}

export function isLevel(s: unknown): s is Level {
  return typeof s === 'string' && (LEVELS as readonly string[]).includes(s);
}
