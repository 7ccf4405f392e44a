// Surface-water class by GB 3838—2002 Table 1 (basic items). A station's class is its worst parameter;
// worse than Ⅴ is 劣Ⅴ (class 6 here). TP has separate lake/reservoir limits. TN (item 9, lakes and
// reservoirs) is reported beside the class, not in it: 《地表水环境质量评价办法（试行）》(环办〔2011〕22号)
// evaluates 21 items without 水温, 总氮 and 粪大肠菌群 and assesses 湖库总氮 separately. A station whose
// local assessment target counts TN sets attribute `tnInClass: true`.
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
  /** TN (lakes/reservoirs) beside the class: its value and class by Table 1 item 9 */
  tn: { value: number; class: number; label: (typeof WATER_CLASS_LABELS)[number] } | null;
  /** TN counted in the class (station attribute tnInClass) */
  tnInClass: boolean;
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
  const tnClass = lake && values.tn !== undefined ? classUpper(values.tn, TN_LAKE) : null;
  const tnInClass = attrs.tnInClass === true || attrs.tnInClass === 'true';
  if (tnClass !== null && tnInClass) by.tn = tnClass;
  const tn = tnClass === null ? null : { value: values.tn!, class: tnClass, label: WATER_CLASS_LABELS[tnClass - 1]! };
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
    tn,
    tnInClass,
  };
}

/** `Ⅲ类 (nh3n) · TN 0.6 mg/L (Ⅲ, reported separately)` — the class and what sets it, with TN beside it */
export function waterClassNote(r: WaterClassResult): string {
  const cls = `${r.label}类${r.worst.length ? ` (${r.worst.join(', ')})` : ''}`;
  const tn = r.tn ? `TN ${r.tn.value} mg/L (${r.tn.label}${r.tnInClass ? ', counted in the class' : ', 总氮单独评价'})` : '';
  return [cls, tn].filter(Boolean).join(' · ');
}
