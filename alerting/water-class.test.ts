// GB 3838—2002 Table 1, retyped here from the standard (not read from water-class.ts), and every limit of every
// basic item approached from both sides: exactly at a limit is still that class (Table 1 gives "≤" upper limits
// and "≥" for DO), just past it is the next class. pH 6–9 (item 2) is the same for all classes.
import { describe, expect, it } from 'vitest';
import { waterClass, waterClassNote } from './water-class.js';

const LABELS = ['Ⅰ', 'Ⅱ', 'Ⅲ', 'Ⅳ', 'Ⅴ', '劣Ⅴ'];
// upper limits Ⅰ…Ⅴ (mg/L), GB 3838—2002 Table 1 items 4, 5, 7, 8, 8 (湖、库), 9 (湖、库)
const TABLE1: Record<string, { limits: number[]; lake?: boolean }> = {
  codmn: { limits: [2, 4, 6, 10, 15] },
  cod: { limits: [15, 15, 20, 30, 40] },
  nh3n: { limits: [0.15, 0.5, 1.0, 1.5, 2.0] },
  tp: { limits: [0.02, 0.1, 0.2, 0.3, 0.4] },
};
const TP_LAKE = [0.01, 0.025, 0.05, 0.1, 0.2];
const TN_LAKE = [0.2, 0.5, 1.0, 1.5, 2.0];
const DO_MIN = [7.5, 6, 5, 3, 2]; // item 3, "≥"
const EPS = 1e-6;

/** the class a value has by upper limits: the first class whose limit it does not exceed */
function expectedUpper(limits: number[], v: number): number {
  const k = limits.findIndex((lim) => v <= lim);
  return k === -1 ? 6 : k + 1;
}

describe('GB 3838 water class at every limit of Table 1', () => {
  for (const [item, { limits }] of Object.entries(TABLE1)) {
    it(`${item}: at each upper limit the class holds, just above it the next class applies`, () => {
      for (const lim of limits) {
        for (const v of [lim - EPS, lim, lim + EPS]) {
          const r = waterClass({ [item]: v }, { waterBody: 'river' })!;
          expect(r.byParameter[item], `${item} = ${v}`).toBe(expectedUpper(limits, v));
          expect(r.label).toBe(LABELS[expectedUpper(limits, v) - 1]);
        }
      }
    });
  }

  it('TP in a lake or reservoir uses the item 8 (湖、库) limits', () => {
    for (const lim of TP_LAKE) {
      for (const v of [lim - EPS, lim, lim + EPS]) {
        expect(waterClass({ tp: v }, { waterBody: 'lake' })!.class, `lake tp = ${v}`).toBe(expectedUpper(TP_LAKE, v));
      }
    }
  });

  it('DO: exactly at each minimum the class holds, just below it the next class applies; under 2 mg/L is 劣Ⅴ', () => {
    const expected = (v: number) => {
      const k = DO_MIN.findIndex((min) => v >= min);
      return k === -1 ? 6 : k + 1;
    };
    for (const min of DO_MIN) {
      for (const v of [min - EPS, min, min + EPS]) expect(waterClass({ do: v })!.class, `do = ${v}`).toBe(expected(v));
    }
    expect(waterClass({ do: 7.5 })!.class).toBe(1);
    expect(waterClass({ do: 7.5 - EPS })!.class).toBe(2);
    expect(waterClass({ do: 2 - EPS })!.class).toBe(6);
  });

  it('pH 6 and 9 are inside the range (class Ⅰ), just outside either end is 劣Ⅴ', () => {
    expect(waterClass({ ph: 6 })!.class).toBe(1);
    expect(waterClass({ ph: 9 })!.class).toBe(1);
    expect(waterClass({ ph: 7 })!.class).toBe(1);
    expect(waterClass({ ph: 6 - EPS })!.class).toBe(6);
    expect(waterClass({ ph: 9 + EPS })!.class).toBe(6);
  });

  it('TN of a lake is classed by item 9 at each limit and reported beside the class unless tnInClass is set', () => {
    for (const lim of TN_LAKE) {
      for (const v of [lim, lim + EPS]) {
        const beside = waterClass({ do: 8, tn: v }, { waterBody: 'lake' })!;
        expect(beside.tn, `tn = ${v}`).toEqual({ value: v, class: expectedUpper(TN_LAKE, v), label: LABELS[expectedUpper(TN_LAKE, v) - 1] });
        expect(beside.class).toBe(1);
        expect(beside.byParameter.tn).toBeUndefined();
        expect(beside.tnInClass).toBe(false);
        for (const flag of [true, 'true'] as const) {
          const counted = waterClass({ do: 8, tn: v }, { waterBody: 'lake', tnInClass: flag })!;
          expect(counted.class, `tn = ${v}, tnInClass ${String(flag)}`).toBe(expectedUpper(TN_LAKE, v));
          expect(counted.tnInClass).toBe(true);
        }
      }
    }
    // other values of the flag do not count TN
    expect(waterClass({ do: 8, tn: 1.2 }, { waterBody: 'lake', tnInClass: 'yes' })!.class).toBe(1);
    expect(waterClass({ do: 8, tn: 1.2 }, { waterBody: 'lake', tnInClass: false })!.tnInClass).toBe(false);
    // a river's TN is neither classed nor reported, even with the flag; a lake without TN reports none
    const river = waterClass({ do: 8, tn: 1.2 }, { waterBody: 'river', tnInClass: true })!;
    expect(river.tn).toBeNull();
    expect(river.class).toBe(1);
    expect(waterClass({ do: 8 }, { waterBody: 'lake' })!.tn).toBeNull();
    expect(waterClass({}, { waterBody: 'lake' })).toBeNull();
  });

  it('target class and gap: below target counts the classes, meeting or beating it is 0, no or unknown target is null', () => {
    const v = { nh3n: 1.2 }; // Ⅳ
    expect(waterClass(v, { targetClass: 'II' })).toMatchObject({ class: 4, target: 2, gap: 2 });
    expect(waterClass(v, { targetClass: 'IV' })).toMatchObject({ target: 4, gap: 0 });
    expect(waterClass(v, { targetClass: 'V' })).toMatchObject({ target: 5, gap: 0 });
    expect(waterClass(v, { targetClass: 'VI' })).toMatchObject({ target: null, gap: 0 });
    expect(waterClass(v, { targetClass: 3 })).toMatchObject({ target: null, gap: 0 });
    expect(waterClass(v)).toMatchObject({ target: null, gap: 0 });
    expect(waterClass({ nh3n: 0.1 })!.worst).toEqual([]); // class Ⅰ names no worst parameter
  });

  it('the note names the class, what sets it, and TN beside or in the class', () => {
    expect(waterClassNote(waterClass({ nh3n: 0.1 })!)).toBe('Ⅰ类');
    expect(waterClassNote(waterClass({ nh3n: 0.8, codmn: 5 })!)).toBe('Ⅲ类 (codmn, nh3n)');
    expect(waterClassNote(waterClass({ do: 8, tn: 0.6 }, { waterBody: 'lake' })!)).toBe('Ⅰ类 · TN 0.6 mg/L (Ⅲ, 总氮单独评价)');
    expect(waterClassNote(waterClass({ do: 8, tn: 1.2 }, { waterBody: 'lake', tnInClass: true })!)).toBe('Ⅳ类 (tn) · TN 1.2 mg/L (Ⅳ, counted in the class)');
  });
});
