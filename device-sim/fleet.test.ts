import { describe, expect, it } from 'vitest';
import { DEVICE_ID_RE, DEVICE_KINDS } from '../schemas/index.js';
import { DEFAULT_MIX, fleetCounts, generateFleet, parseFleet, validateFleet } from './fleet.js';
import { DISTRICT, TOWNSHIPS } from './geography.js';

const fleet = generateFleet({ size: 2000, seed: 'test-seed' });

describe('generateFleet', () => {
  it('matches the deviceImportFile schema and the fleet rules', () => {
    expect(validateFleet(fleet)).toEqual({ ok: true, errors: [] });
    expect(fleet.version).toBe(1);
    expect(fleet.devices).toHaveLength(2000);
    expect(() => parseFleet(JSON.stringify(fleet))).not.toThrow();
  });

  it('places every device inside the district bounding box with a real township code', () => {
    const [w, s, e, n] = DISTRICT.bbox;
    const codes = new Set(TOWNSHIPS.map((t) => t.code));
    for (const d of fleet.devices) {
      expect(d.lon).toBeGreaterThanOrEqual(w);
      expect(d.lon).toBeLessThanOrEqual(e);
      expect(d.lat).toBeGreaterThanOrEqual(s);
      expect(d.lat).toBeLessThanOrEqual(n);
      expect(codes.has(d.township)).toBe(true);
    }
  });

  it('has every kind with counts close to the mix', () => {
    const counts = fleetCounts(fleet);
    for (const k of DEVICE_KINDS) {
      expect(counts[k]).toBeGreaterThan(0);
      expect(Math.abs(counts[k] - DEFAULT_MIX[k] * 2000)).toBeLessThanOrEqual(20);
    }
  });

  it('gives valid ids, Chinese names and unique long tokens; cameras use 20-digit GB/T 28181 ids', () => {
    const ids = new Set<string>();
    const tokens = new Set<string>();
    for (const d of fleet.devices) {
      expect(DEVICE_ID_RE.test(d.id)).toBe(true);
      expect(d.name).toMatch(/[\u4e00-\u9fff]/);
      expect(d.token.length).toBeGreaterThanOrEqual(24);
      ids.add(d.id);
      tokens.add(d.token);
      if (d.kind === 'camera') expect(d.id).toMatch(/^33100300001320\d{6}$/);
    }
    expect(ids.size).toBe(fleet.devices.length);
    expect(tokens.size).toBe(fleet.devices.length);
    expect(fleet.devices.find((d) => d.kind === 'camera')?.id).toBe('33100300001320000001');
  });

  it('carries the station parameters the rule packs need', () => {
    for (const d of fleet.devices) {
      const a = d.attributes;
      if (d.kind === 'flood' && d.sim.profile !== 'rain-gauge') {
        expect(typeof a.warningLevel).toBe('number');
        expect(a.warningLevel as number).toBeLessThan(a.guaranteedLevel as number);
        expect(a.guaranteedLevel as number).toBeLessThan(a.historicalMaxLevel as number);
        // normal level sits clearly below the blue band (warning − 0.3 m)
        if (d.sim.profile !== 'reservoir') expect(d.sim.base! + (d.sim.tide ?? 0)).toBeLessThan((a.warningLevel as number) - 0.3);
      }
      if (d.kind === 'water') {
        expect(['II', 'III', 'IV']).toContain(a.targetClass);
        expect(['lake', 'river']).toContain(a.waterBody);
      }
      if (d.kind === 'noise') expect(['0', '1', '2', '3', '4a', '4b']).toContain(a.noiseZone);
      if (d.kind === 'gas') {
        expect(a.nominalPressure as number).toBeGreaterThan(0);
        expect(a.nominalPressure as number).toBeLessThanOrEqual(4);
      }
    }
    const reservoir = fleet.devices.find((d) => d.sim.profile === 'reservoir');
    expect(reservoir?.attributes.floodLimitLevel).toBe(35);
    const buoy = fleet.devices.find((d) => d.sim.tags.includes('drinking-water'));
    expect(buoy?.attributes).toMatchObject({ targetClass: 'II', waterBody: 'lake' });
  });

  it('puts the key sites where DOMAIN.md says: Ningxi torrent, Changtan dam, city reach, Jiangkou sluice', () => {
    const byTag = (t: string) => fleet.devices.filter((d) => d.sim.tags.includes(t));
    expect(byTag('ningxi').some((d) => d.kind === 'flood' && d.township === '331003101')).toBe(true);
    expect(byTag('city-reach').some((d) => d.kind === 'flood')).toBe(true);
    expect(byTag('sluice').some((d) => d.kind === 'flood' && d.township === '331003007')).toBe(true);
    expect(byTag('gas-leak-site')).toHaveLength(3);
    // geohazard points are in the hills: mostly the western mountains, none in the eastern plain
    const geo = fleet.devices.filter((x) => x.kind === 'geo');
    for (const d of geo) expect(d.lon).toBeLessThan(121.25);
    expect(geo.filter((d) => d.lon < 121.1).length / geo.length).toBeGreaterThan(0.7);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateFleet({ size: 2000, seed: 'test-seed' });
    expect(again.devices).toEqual(fleet.devices);
    const other = generateFleet({ size: 2000, seed: 'other' });
    expect(other.devices.map((d) => d.token)).not.toEqual(fleet.devices.map((d) => d.token));
  });

  it('scales from a handful to 50 000 devices', () => {
    expect(generateFleet({ size: 5, seed: 1 }).devices).toHaveLength(5);
    const big = generateFleet({ size: 50_000, seed: 'big' });
    expect(big.devices).toHaveLength(50_000);
    expect(validateFleet(big).ok).toBe(true);
    expect(() => generateFleet({ size: 50_001 })).toThrow(/1\.\.50000/);
  });

  it('honours a custom mix and gives a small share of devices a fault', () => {
    const gasOnly = generateFleet({ size: 300, seed: 'mix', mix: { gas: 1, flood: 0, air: 0, water: 0, noise: 0, geo: 0, camera: 0 } });
    expect(new Set(gasOnly.devices.map((d) => d.kind))).toEqual(new Set(['gas']));
    const faulty = fleet.devices.filter((d) => d.sim.fault).length;
    expect(faulty).toBeGreaterThan(20);
    expect(faulty).toBeLessThan(120);
    expect(fleet.devices.filter((d) => d.sim.tags.includes('key') && d.sim.fault)).toHaveLength(0);
  });

  it('rejects files that break the schema', () => {
    const bad = structuredClone(fleet);
    (bad.devices[0] as { lon: unknown }).lon = 'east';
    expect(validateFleet(bad).ok).toBe(false);
    const dup = structuredClone(fleet);
    dup.devices[1]!.id = dup.devices[0]!.id;
    expect(validateFleet(dup).errors.join()).toMatch(/duplicate id/);
  });
});
