import { describe, expect, it } from 'vitest';
import type { Reading } from '../../schemas/index.js';
import { escapeKey, escapeMeasurement, readingProblem, toLine, toLineProtocol } from './line-protocol.js';

const r = (over: Partial<Reading> = {}): Reading => ({
  deviceId: 'HY-FL-001',
  kind: 'flood',
  ts: 1_795_647_601_000,
  receivedAt: 1_795_647_601_050,
  values: { rain: 0.5, level: 3.42 },
  drill: false,
  ...over,
});

describe('line protocol', () => {
  it('measurement = kind, tag device, one float field per metric (sorted), ms timestamp', () => {
    expect(toLine(r())).toBe('flood,device=HY-FL-001 level=3.42,rain=0.5 1795647601000');
  });

  it('adds drill=true only for drill data and township when the registry knows it (tags sorted)', () => {
    expect(toLine(r({ drill: true }), { townshipOf: () => '331003001' })).toBe('flood,device=HY-FL-001,drill=true,township=331003001 level=3.42,rain=0.5 1795647601000');
    expect(toLine(r(), { townshipOf: () => null })).toBe('flood,device=HY-FL-001 level=3.42,rain=0.5 1795647601000');
    expect(toLine(r(), { townshipOf: () => '' })).toBe('flood,device=HY-FL-001 level=3.42,rain=0.5 1795647601000');
  });

  it('writes integers and 0/1 as floats (no i suffix), and keeps full precision', () => {
    expect(toLine(r({ kind: 'gas', values: { valve: 1, pressure: 0.1 + 0.2, flow: 1e-7, methane: -0 } }))).toBe(
      'gas,device=HY-FL-001 flow=1e-7,methane=0,pressure=0.30000000000000004,valve=1 1795647601000',
    );
  });

  it('escapes commas, spaces, equals signs and backslashes per the InfluxDB spec', () => {
    expect(escapeMeasurement('a b,c=d')).toBe('a\\ b\\,c=d');
    expect(escapeKey('a b,c=d\\e')).toBe('a\\ b\\,c\\=d\\\\e');
    expect(toLine(r({ deviceId: 'x y,z=1' }), { townshipOf: () => '院桥镇 东' })).toBe('flood,device=x\\ y\\,z\\=1,township=院桥镇\\ 东 level=3.42,rain=0.5 1795647601000');
  });

  it('joins a batch one line each, newline-terminated', () => {
    expect(toLineProtocol([r(), r({ ts: 1_795_647_602_000, values: { level: 3.5 } })])).toBe(
      'flood,device=HY-FL-001 level=3.42,rain=0.5 1795647601000\nflood,device=HY-FL-001 level=3.5 1795647602000\n',
    );
    expect(toLineProtocol([])).toBe('');
  });

  it('names what cannot be written instead of writing it', () => {
    expect(readingProblem(r())).toBeNull();
    expect(readingProblem(r({ values: {} }))).toBe('reading has no values');
    expect(readingProblem(r({ values: { level: Number.POSITIVE_INFINITY } }))).toMatch(/level is not a finite number/);
    expect(readingProblem(r({ ts: 1.5 }))).toMatch(/not an integer epoch ms/);
    expect(readingProblem(r({ deviceId: '' }))).toBe('empty device id');
  });
});
