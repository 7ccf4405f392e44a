// Surface-water class by GB 3838—2002 Table 1 (basic items). A station's class is its worst parameter;
// worse than Ⅴ is 劣Ⅴ (class 6 here). TP has separate lake/reservoir limits; TN applies to lakes/reservoirs.
import type { AttributeValue } from '../schemas/model.js';

type Limits = readonly [number, number, number, number, number]; // Ⅰ…Ⅴ

// GB 3838—2002 Table 1, upper limits (mg/L) unless noted.
const UPPER: Record<string, Limits> = {
  codmn: [2, 4, 6, 10, 15], // item 4 高锰酸盐指数
  cod: [15, 15, 20, 30, 40], // item 5 化学需氧量
  nh3n: [0.15, 0.5, 1.0, 1.5, 2.0], // item 7 氨氮
  tp: [0.02, 0.1, 0.2, 0.3, 0.4], // item 8 总磷 (river)
};
const TP_LAKE: Limits = [0.01, 0.025, 0.05, 0.1, 0.2]; // item 8 总磷 (湖、库)
const TN_LAKE: Limits = [0.2, 0.5, 1.0, 1.5, 2.0]; // item 9 总氮 (湖、库)
const DO_MIN: Limits = [7.5, 6, 5, 3, 2]; // item 3 溶解氧 ≥ (Ⅰ: 饱和率 90 % or 7.5)

export const WATER_CLASS_LABELS = ['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', '劣Ⅴ'] as const;
const ROMAN: Record<string, number> = { I: 1, II: 2, III: 3, IV: 4, V: 5 };

export interface WaterClassResult {
  /** 1..5 = Ⅰ..Ⅴ, 6 = 劣Ⅴ */
  class: number;
  label: (typeof WATER_CLASS_LABELS)[number];
  /** parameters that set the class */
  worst: string[];
  byParameter: Record<string, number>;
  /** target class from the station's `targetClass` attribute */
  target: number | null;
  /** classes below target (0 when meeting it or no target) */
  gap: number;
}

function classUpper(v: number, lim: Limits): number {
  for (let k = 0; k < 5; k++) if (v <= lim[k]!) return k + 1;
  return 6;
}

export function waterClass(values: Record<string, number>, attrs: Record<string, AttributeValue> = {}): WaterClassResult | null {
  const lake = attrs.waterBody === 'lake';
  const by: Record<string, number> = {};
  if (values.ph !== undefined) by.ph = values.ph >= 6 && values.ph <= 9 ? 1 : 6; // item 2: pH 6–9 for all classes
  if (values.do !== undefined) {
    let c = 6;
    for (let k = 0; k < 5; k++) if (values.do >= DO_MIN[k]!) { c = k + 1; break; }
    by.do = c;
  }
  for (const [p, lim] of Object.entries(UPPER)) {
    const v = values[p];
    if (v === undefined) continue;
    by[p] = classUpper(v, p === 'tp' && lake ? TP_LAKE : lim);
  }
  if (lake && values.tn !== undefined) by.tn = classUpper(values.tn, TN_LAKE);
  const names = Object.keys(by);
  if (names.length === 0) return null;
  let cls = 1;
  for (const n of names) cls = Math.max(cls, by[n]!);
  const target = typeof attrs.targetClass === 'string' ? (ROMAN[attrs.targetClass] ?? null) : null;
  return {
    class: cls,
    label: WATER_CLASS_LABELS[cls - 1]!,
    worst: cls > 1 ? names.filter((n) => by[n] === cls) : [],
    byParameter: by,
    target,
    gap: target === null ? 0 : Math.max(0, cls - target),
  };
}
