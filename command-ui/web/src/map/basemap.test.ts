import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { basemapData, offlineStyle, voronoiCells } from './basemap.js';
import type { TownshipsFile } from '../api.js';

const tw = JSON.parse(readFileSync(new URL('../../../../app/data/townships.json', import.meta.url), 'utf8')) as TownshipsFile;

function area(ring: [number, number][]): number {
  let a = 0;
  for (let i = 0; i + 1 < ring.length; i++) a += ring[i]![0] * ring[i + 1]![1] - ring[i + 1]![0] * ring[i]![1];
  return Math.abs(a) / 2;
}
function inside(p: [number, number], ring: [number, number][]): boolean {
  let c = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!, [xj, yj] = ring[j]!;
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

describe('offline basemap', () => {
  const centres = tw.townships.map((t) => t.center);
  const cells = voronoiCells(centres, tw.district.bbox);

  it('gives every township a closed cell that contains its centre', () => {
    expect(cells).toHaveLength(centres.length);
    cells.forEach((ring, i) => {
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      expect(inside(centres[i]!, ring)).toBe(true);
    });
  });

  it('tiles the district box without gaps or overlaps', () => {
    const [w, s, e, n] = tw.district.bbox;
    const total = cells.reduce((a, r) => a + area(r), 0);
    expect(total).toBeCloseTo((e - w) * (n - s), 6);
  });

  it('builds a style that fetches nothing: no glyphs, sprite, tiles or URLs', () => {
    const { geo, labels } = basemapData(tw);
    const style = offlineStyle(geo);
    expect(style.glyphs).toBeUndefined();
    expect(style.sprite).toBeUndefined();
    expect(JSON.stringify(style)).not.toMatch(/https?:\/\//);
    expect(style.layers.some((l) => l.type === 'symbol')).toBe(false);
    expect(labels.townships).toHaveLength(centres.length);
  });
});
