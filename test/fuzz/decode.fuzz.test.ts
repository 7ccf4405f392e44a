// Security-test-plan T24/T25 "Fuzzing": property-based tests (fast-check) over the payload
// decoder. Whatever bytes arrive, decodePublish never throws and answers ok or one of the known codes;
// what it accepts is clean (finite numbers of the kind's metrics, ts not in the future, no prototype
// pollution), and it takes bounded time even on hostile nesting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePublish, MAX_FUTURE_MS } from '../../ingest/decode.js';
import { CHANNELS, DEVICE_KINDS, METRICS, type Channel, type DeviceKind, type ParsedTopic } from '../../schemas/index.js';
import { budget, report, timeoutMs } from './budget.js';

const KNOWN = new Set(['LOOKOUT_ERR_PAYLOAD_TOO_LARGE', 'LOOKOUT_ERR_PAYLOAD_JSON', 'LOOKOUT_ERR_PAYLOAD_SCHEMA', 'LOOKOUT_ERR_TS_FUTURE', 'LOOKOUT_ERR_TOPIC']);
const NOW = Date.UTC(2026, 10, 26, 6, 0, 0);

const topicArb: fc.Arbitrary<ParsedTopic> = fc.record({
  kind: fc.constantFrom(...DEVICE_KINDS),
  deviceId: fc.constantFrom('GAS-1', 'F-NX-01', 'a'),
  channel: fc.constantFrom(...(CHANNELS as readonly Channel[])),
});

function check(topic: ParsedTopic, payload: Buffer): void {
  const r = decodePublish(topic, payload, NOW);
  if (!r.ok) {
    if (!KNOWN.has(r.code)) throw new Error(`unknown code ${r.code}`);
    if (typeof r.reason !== 'string' || r.reason.length > 2000) throw new Error('bad reason');
    return;
  }
  if (r.channel === 'telemetry') {
    if (topic.channel !== 'telemetry' || r.readings.length < 1) throw new Error('telemetry without readings');
    for (const rd of r.readings) {
      if (!Number.isFinite(rd.ts) || rd.ts > NOW + MAX_FUTURE_MS) throw new Error(`bad ts ${rd.ts}`);
      if (rd.deviceId !== topic.deviceId || rd.kind !== topic.kind) throw new Error('identity not from the topic');
      const metrics = METRICS[topic.kind as DeviceKind];
      for (const [k, v] of Object.entries(rd.values)) {
        if (!(k in metrics)) throw new Error(`metric ${k} is not a ${topic.kind} metric`);
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`value ${k}=${String(v)}`);
      }
    }
  } else if (r.channel === 'event') {
    if (!Number.isFinite(r.event.ts) || r.event.ts > NOW + MAX_FUTURE_MS) throw new Error('bad event ts');
  } else if (!Number.isFinite(r.status.ts) || r.status.ts > NOW) throw new Error('bad status ts');
}

function pristine(): void {
  const polluted = ({} as Record<string, unknown>).admin !== undefined || Object.keys(Object.prototype).length > 0;
  if (polluted) throw new Error('Object.prototype was polluted');
}

// near-valid payloads: the right shape with hostile values, extra fields and prototype keys mixed in
const numberish = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ maxLength: 8 }),
  fc.constant(null),
  fc.boolean(),
);
const tsArb = fc.oneof(
  fc.integer({ min: -1, max: NOW + 2 * MAX_FUTURE_MS }),
  fc.date({ min: new Date(0), max: new Date(NOW + 3600_000), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-11-26T14:32:05+08:00', 'not-a-date', '', '9999-12-31T23:59:59Z', '2026-02-30T00:00:00Z'),
  fc.double(),
);
const metricKey = fc.oneof(
  fc.constantFrom(...new Set(DEVICE_KINDS.flatMap((k) => Object.keys(METRICS[k])))),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', ''),
  fc.string({ maxLength: 40 }),
);
const valuesArb = fc.dictionary(metricKey, numberish, { maxKeys: 6 });
const readingArb = fc.record({ ts: tsArb, values: valuesArb, seq: fc.oneof(fc.integer(), fc.double()) }, { requiredKeys: ['values'] });
const extra = fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'admin', 'drill', 'x'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 });
const nearValid = fc.oneof(
  fc.tuple(readingArb, extra).map(([r, e]) => ({ ...r, ...e })),
  fc.record({ readings: fc.array(readingArb, { maxLength: 20 }), drill: fc.boolean() }),
  fc.record({ ts: tsArb, type: fc.oneof(fc.constantFrom('smoke', 'fire', 'water-gauge', 'crowd'), fc.string({ maxLength: 20 })), confidence: numberish, value: numberish, bbox: fc.array(numberish, { maxLength: 5 }) }, { requiredKeys: ['type'] }),
  fc.record({ ts: tsArb, online: fc.oneof(fc.boolean(), numberish), battery: numberish }, { requiredKeys: ['online'] }),
);

describe('fuzz: payload decoder (fast-check)', () => {
  it('arbitrary bytes never throw; ok or a known code', () => {
    let n = 0;
    const t0 = Date.now();
    fc.assert(
      fc.property(topicArb, fc.uint8Array({ maxLength: 2048 }), (topic, bytes) => {
        n++;
        check(topic, Buffer.from(bytes));
      }),
      budget(3000),
    );
    report('decode-bytes', n, Date.now() - t0);
    expect(n).toBeGreaterThan(0);
  }, timeoutMs(60_000));

  it('arbitrary JSON values (and their UTF-8 with bytes flipped) never throw', () => {
    let n = 0;
    const t0 = Date.now();
    fc.assert(
      fc.property(topicArb, fc.jsonValue({ maxDepth: 6 }), fc.array(fc.nat(), { maxLength: 3 }), (topic, v, flips) => {
        n++;
        const buf = Buffer.from(JSON.stringify(v) ?? 'null', 'utf8');
        check(topic, buf);
        for (const f of flips) if (buf.length) buf[f % buf.length] = buf[f % buf.length]! ^ (1 << f % 8);
        check(topic, buf);
        pristine();
      }),
      budget(2000),
    );
    report('decode-json', n, Date.now() - t0);
  }, timeoutMs(60_000));

  it('near-valid payloads with hostile values: accepted ones are clean, nothing is polluted', () => {
    let n = 0;
    let accepted = 0;
    const t0 = Date.now();
    fc.assert(
      fc.property(topicArb, nearValid, (topic, v) => {
        n++;
        const text = JSON.stringify(v).replace('"x":', '"__proto__":');
        check(topic, Buffer.from(text));
        if (decodePublish(topic, Buffer.from(text), NOW).ok) accepted++;
        pristine();
      }),
      budget(3000),
    );
    report('decode-near-valid', n, Date.now() - t0, { accepted });
  }, timeoutMs(60_000));

  it('mostly-valid telemetry of the topic kind: accepted readings are exactly the metrics sent', () => {
    let n = 0;
    let accepted = 0;
    const t0 = Date.now();
    const arb = fc.constantFrom(...DEVICE_KINDS.filter((k) => Object.keys(METRICS[k]).length > 0)).chain((kind) => {
      const keys = Object.keys(METRICS[kind]);
      const value = fc.oneof({ weight: 8, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) }, { weight: 1, arbitrary: numberish });
      const reading = fc.record({ ts: fc.oneof(fc.integer({ min: NOW - 86_400_000, max: NOW + 2 * MAX_FUTURE_MS }), tsArb), values: fc.dictionary(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: metricKey }), value, { minKeys: 1, maxKeys: 4 }) }, { requiredKeys: ['values'] });
      return fc.tuple(fc.constant(kind), fc.oneof(reading, fc.record({ readings: fc.array(reading, { minLength: 1, maxLength: 10 }) })));
    });
    fc.assert(
      fc.property(arb, ([kind, body]) => {
        n++;
        const topic: ParsedTopic = { kind, deviceId: 'a', channel: 'telemetry' };
        const buf = Buffer.from(JSON.stringify(body));
        check(topic, buf);
        const r = decodePublish(topic, buf, NOW);
        if (r.ok && r.channel === 'telemetry') {
          accepted++;
          const sent = 'readings' in body ? body.readings : [body];
          if (r.readings.length !== sent.length) throw new Error('reading count changed');
          r.readings.forEach((rd, i) => {
            if (JSON.stringify(Object.keys(rd.values).sort()) !== JSON.stringify(Object.keys(sent[i]!.values).sort())) throw new Error('metrics changed');
          });
        }
        pristine();
      }),
      budget(3000),
    );
    report('decode-telemetry', n, Date.now() - t0, { accepted });
    expect(accepted).toBeGreaterThan(0);
  }, timeoutMs(60_000));

  it('hostile shapes (deep nesting, huge arrays, long strings, NaN literals) stay bounded', () => {
    const hostile = [
      '['.repeat(20_000) + ']'.repeat(20_000),
      '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000),
      JSON.stringify({ readings: Array.from({ length: 5000 }, () => ({ values: { level: 1 } })) }),
      `[${'0,'.repeat(30_000)}0]`,
      JSON.stringify({ values: { level: 'x'.repeat(60_000) } }),
      '{"values":{"level":NaN}}',
      '{"values":{"level":Infinity}}',
      '{"values":{"level":1e999}}',
      '{"__proto__":{"admin":true},"values":{"level":1}}',
      '{"constructor":{"prototype":{"admin":true}},"values":{"level":1}}',
      '\uFEFF{"values":{"level":1}}',
      '"\\ud800"',
    ];
    let worst = 0;
    for (const kind of DEVICE_KINDS) {
      for (const channel of ['telemetry', 'event', 'status'] as const) {
        for (const h of hostile) {
          const t0 = performance.now();
          check({ kind, deviceId: 'a', channel }, Buffer.from(h));
          worst = Math.max(worst, performance.now() - t0);
          pristine();
        }
      }
    }
    report('decode-hostile', DEVICE_KINDS.length * 3 * hostile.length, 0, { worstMs: Math.round(worst) });
  });
});
