// `lookout rules test <dir>`: rule fixtures in the spirit of `promtool test rules`. Each fixture file
// names packs (and/or inline rules), a device set and tests; each test feeds timed readings, events,
// presence changes and rejects into a fresh engine on an in-memory database with a virtual clock, and
// checks the active alarms and open incidents at chosen times.
//
// {
//   "name": "gas pack", "packs": ["gas"], "rules": [ …inline rules… ],
//   "start": "2026-07-01T10:00:00+08:00",
//   "devices": [{ "id": "g1", "kind": "gas", "lon": 121.26, "lat": 28.64, "township": "331003001", "attributes": {} }],
//   "tests": [{ "name": "methane stages", "steps": [
//     { "at": "0s", "readings": [{ "device": "g1", "values": { "methane": 12 } }] },
//     { "at": "1m", "expect": { "alarms": [{ "rule": "gas.methane", "device": "g1", "level": "blue" }] } },
//     { "at": "2m", "events": [{ "device": "cam", "type": "smoke", "confidence": 0.9 }] },
//     { "at": "3m", "presence": [{ "device": "g1", "online": false }], "rejects": [{ "device": "g1", "code": "X" }] },
//     { "at": "4m", "due": [{ "id": "R-1", "subject": "rectification", "category": "geo", "site": "HZ-1", "dueAt": "1m" }] },
//     { "at": "9m", "expect": { "incidents": [{ "category": "gas", "level": "red", "devices": 2 }], "late": 0 } }
//   ]}]
// }
//
// Readings default to ts = the step time; `"ago": "50m"` makes one observed earlier but received now
// (gateway flush), `"drill": true` flags a drill; with `repeat`, `"perRepeat": {"displacement": 0.25}` adds
// that much per repetition (a ramp). An expected alarm may name `"message"`: text its message contains
// (the values a warning used, whether rain is still falling). `expect.alarms` is the exact set of active/unknown
// alarms (use `alarmsInclude` for a subset); `expect.incidents` is the exact set of open incidents.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { CAMERA_EVENT_TYPES, DEVICE_KINDS, type CameraEventType, type DeviceKind } from '../schemas/kinds.js';
import { LEVELS, type Level } from '../schemas/levels.js';
import type { Alarm, AttributeValue, Device, Incident, IncidentCategory } from '../schemas/model.js';
import { DUE_SUBJECTS, type DueSubject, type Rule } from '../schemas/rules.js';
import { parseDuration } from './duration.js';
import { createAlerting, type AlertingConfig } from './engine.js';
import { createVirtualClock } from './virtual-clock.js';

interface FixtureDevice {
  id: string;
  kind: DeviceKind;
  name?: string;
  lon?: number;
  lat?: number;
  township?: string | null;
  attributes?: Record<string, AttributeValue>;
}
interface ExpectAlarm {
  rule: string;
  device: string;
  level?: Level;
  state?: 'active' | 'unknown';
  drill?: boolean;
  late?: boolean;
  /** the alarm text contains this (e.g. the values a warning used) */
  message?: string;
}
interface ExpectIncident {
  category: IncidentCategory;
  level?: Level;
  drill?: boolean;
  /** number of devices */
  devices?: number;
  status?: string;
  /** number of alarms (any state) */
  alarms?: number;
}
interface Step {
  at: string | number;
  /** apply this step's inputs `count` times, `every` apart (expectations are checked after the last) */
  repeat?: { every: string | number; count: number };
  /** `perRepeat`: added to `values` once per repetition (a ramp: cumulative displacement, a rising level) */
  readings?: { device: string; values: Record<string, number>; perRepeat?: Record<string, number>; ago?: string | number; drill?: boolean }[];
  events?: { device: string; type: CameraEventType; confidence?: number; value?: number; ago?: string | number; drill?: boolean }[];
  presence?: { device: string; online: boolean }[];
  rejects?: { device: string; code?: string }[];
  /** the open supervision records with deadlines (a full list, replacing the last; `dueAt` from the fixture's start) */
  due?: { id: string; subject: DueSubject; category: IncidentCategory; site: string; name?: string; township?: string | null; dueAt: string | number }[];
  ack?: { category: IncidentCategory; user?: string; note?: string }[];
  expect?: { alarms?: ExpectAlarm[]; alarmsInclude?: ExpectAlarm[]; incidents?: ExpectIncident[]; late?: number; state?: Record<string, string> };
}
interface FixtureTest {
  name: string;
  steps: Step[];
}
export interface FixtureFile {
  name?: string;
  packs?: string[];
  rules?: Rule[];
  start?: string;
  devices: FixtureDevice[];
  config?: Pick<AlertingConfig, 'deadmanCheckMs' | 'tickMs' | 'lateAfterMs'>;
  tests: FixtureTest[];
}

const dur = { oneOf: [{ type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+$' }, { type: 'number', minimum: 0 }] };
const expAlarm = {
  type: 'object', required: ['rule', 'device'], additionalProperties: false,
  properties: { rule: { type: 'string' }, device: { type: 'string' }, level: { enum: [...LEVELS] }, state: { enum: ['active', 'unknown'] }, drill: { type: 'boolean' }, late: { type: 'boolean' }, message: { type: 'string' } },
};
export const fixtureSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['devices', 'tests'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    packs: { type: 'array', items: { type: 'string' } },
    rules: { type: 'array' },
    start: { type: 'string', format: 'date-time' },
    config: { type: 'object', additionalProperties: false, properties: { deadmanCheckMs: { type: 'integer' }, tickMs: { type: 'integer' }, lateAfterMs: { type: 'integer' } } },
    devices: {
      type: 'array',
      items: {
        type: 'object', required: ['id', 'kind'], additionalProperties: false,
        properties: { id: { type: 'string' }, kind: { enum: [...DEVICE_KINDS] }, name: { type: 'string' }, lon: { type: 'number' }, lat: { type: 'number' }, township: { type: ['string', 'null'] }, attributes: { type: 'object' } },
      },
    },
    tests: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', required: ['name', 'steps'], additionalProperties: false,
        properties: {
          name: { type: 'string' },
          steps: {
            type: 'array',
            items: {
              type: 'object', required: ['at'], additionalProperties: false,
              properties: {
                at: dur,
                comment: { type: 'string' },
                repeat: { type: 'object', required: ['every', 'count'], additionalProperties: false, properties: { every: dur, count: { type: 'integer', minimum: 1, maximum: 100000 } } },
                readings: { type: 'array', items: { type: 'object', required: ['device', 'values'], additionalProperties: false, properties: { device: { type: 'string' }, values: { type: 'object', additionalProperties: { type: 'number' } }, perRepeat: { type: 'object', additionalProperties: { type: 'number' } }, ago: dur, drill: { type: 'boolean' } } } },
                events: { type: 'array', items: { type: 'object', required: ['device', 'type'], additionalProperties: false, properties: { device: { type: 'string' }, type: { enum: [...CAMERA_EVENT_TYPES] }, confidence: { type: 'number' }, value: { type: 'number' }, ago: dur, drill: { type: 'boolean' } } } },
                presence: { type: 'array', items: { type: 'object', required: ['device', 'online'], additionalProperties: false, properties: { device: { type: 'string' }, online: { type: 'boolean' } } } },
                rejects: { type: 'array', items: { type: 'object', required: ['device'], additionalProperties: false, properties: { device: { type: 'string' }, code: { type: 'string' } } } },
                due: { type: 'array', items: { type: 'object', required: ['id', 'subject', 'category', 'site', 'dueAt'], additionalProperties: false, properties: { id: { type: 'string' }, subject: { enum: [...DUE_SUBJECTS] }, category: { type: 'string' }, site: { type: 'string' }, name: { type: 'string' }, township: { type: ['string', 'null'] }, dueAt: dur } } },
                ack: { type: 'array', items: { type: 'object', required: ['category'], additionalProperties: false, properties: { category: { type: 'string' }, user: { type: 'string' }, note: { type: 'string' } } } },
                expect: {
                  type: 'object', additionalProperties: false,
                  properties: {
                    alarms: { type: 'array', items: expAlarm },
                    alarmsInclude: { type: 'array', items: expAlarm },
                    incidents: { type: 'array', items: { type: 'object', required: ['category'], additionalProperties: false, properties: { category: { type: 'string' }, level: { enum: [...LEVELS] }, drill: { type: 'boolean' }, devices: { type: 'integer' }, status: { type: 'string' }, alarms: { type: 'integer' } } } },
                    late: { type: 'integer', minimum: 0 },
                    state: { type: 'object', additionalProperties: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
const validateFixture = ajv.compile(fixtureSchema);

export interface FixtureResult {
  file: string;
  test: string;
  ok: boolean;
  failures: string[];
}

function matchAlarm(e: ExpectAlarm, a: Alarm): boolean {
  return e.rule === a.ruleId && e.device === a.deviceId && (e.level === undefined || e.level === a.level) && (e.state === undefined || e.state === a.state) && (e.drill === undefined || e.drill === a.drill) && (e.late === undefined || e.late === a.late) && (e.message === undefined || a.message.includes(e.message));
}
function matchIncident(e: ExpectIncident, i: Incident): boolean {
  return e.category === i.category && (e.level === undefined || e.level === i.level) && (e.drill === undefined || e.drill === i.drill) && (e.devices === undefined || e.devices === i.deviceIds.length) && (e.status === undefined || e.status === i.status) && (e.alarms === undefined || e.alarms === i.alarms.length);
}
/** every expected item matches a distinct actual item, and (exact) nothing is left over */
function setMatch<E, A>(expected: E[], actual: A[], match: (e: E, a: A) => boolean, exact: boolean): boolean {
  const left = [...actual];
  for (const e of expected) {
    const k = left.findIndex((a) => match(e, a));
    if (k < 0) return false;
    left.splice(k, 1);
  }
  return !exact || left.length === 0;
}
/** values + k × perRepeat (rounded to 1e-9 so a ramp does not drift by float error) */
function ramp(values: Record<string, number>, per: Record<string, number> | undefined, k: number): Record<string, number> {
  if (!per || k === 0) return values;
  const out = { ...values };
  for (const [m, d] of Object.entries(per)) out[m] = Math.round(((out[m] ?? 0) + d * k) * 1e9) / 1e9;
  return out;
}
const showAlarm = (a: Alarm) => `${a.ruleId}@${a.deviceId}=${a.level}${a.state !== 'active' ? `(${a.state})` : ''}${a.drill ? '[drill]' : ''}`;
const showIncident = (i: Incident) => `${i.category}/${i.level}${i.drill ? '[drill]' : ''} devices=${i.deviceIds.length} alarms=${i.alarms.length} ${i.status}`;

/** Run one parsed fixture; `file` labels the report. */
export function runFixture(fx: FixtureFile, file = 'fixture'): FixtureResult[] {
  const results: FixtureResult[] = [];
  const start = fx.start ? Date.parse(fx.start) : Date.UTC(2026, 6, 1, 2, 0, 0);
  for (const t of fx.tests) {
    const failures: string[] = [];
    const db = new Database(':memory:');
    const clock = createVirtualClock(start);
    const devs = new Map<string, Device>(
      fx.devices.map((d) => [d.id, { id: d.id, kind: d.kind, name: d.name ?? d.id, lon: d.lon ?? 121.259, lat: d.lat ?? 28.648, township: d.township ?? null, attributes: d.attributes ?? {}, createdAt: start }]),
    );
    const alerting = createAlerting(
      { db, clock, logger: pino({ level: 'silent' }), devices: { get: (id) => devs.get(id), all: () => devs.values() } },
      { packs: fx.packs ?? [], rules: fx.rules, tickMs: fx.config?.tickMs ?? 5_000, deadmanCheckMs: fx.config?.deadmanCheckMs ?? 30_000, lateAfterMs: fx.config?.lateAfterMs },
    );
    try {
      alerting.start();
      for (const step of t.steps) {
        const at = start + parseDuration(step.at);
        if (at < clock.now()) failures.push(`step at ${step.at}: steps must be in time order`);
        const count = step.repeat?.count ?? 1;
        const every = parseDuration(step.repeat?.every ?? 0);
        for (let k = 0; k < count; k++) {
          clock.advanceTo(at + k * every);
          const now = clock.now();
          const kindOf = (id: string): DeviceKind => {
            const d = devs.get(id);
            if (!d) throw new Error(`unknown device ${id}`);
            return d.kind;
          };
          if (step.presence) for (const p of step.presence) alerting.devicePresence(p.device, p.online, now);
          if (step.readings) {
            alerting.evaluate(step.readings.map((r) => ({ deviceId: r.device, kind: kindOf(r.device), ts: now - parseDuration(r.ago), receivedAt: now, values: ramp(r.values, r.perRepeat, k), drill: r.drill ?? false })));
          }
          if (step.events) {
            for (const e of step.events) {
              const ev = { deviceId: e.device, kind: kindOf(e.device), ts: now - parseDuration(e.ago), receivedAt: now, type: e.type, drill: e.drill ?? false } as Parameters<typeof alerting.evaluateEvent>[0];
              if (e.confidence !== undefined) ev.confidence = e.confidence;
              if (e.value !== undefined) ev.value = e.value;
              alerting.evaluateEvent(ev);
            }
          }
          if (step.rejects) for (const r of step.rejects) alerting.deviceRejected(r.device, now, r.code ?? 'LOOKOUT_ERR_PAYLOAD_SCHEMA');
          if (step.due) {
            alerting.evaluateDue(step.due.map((d) => ({ id: d.id, subject: d.subject, category: d.category, siteId: d.site, name: d.name ?? d.site, township: d.township ?? null, lon: 121.259, lat: 28.648, dueAt: start + parseDuration(d.dueAt) })));
          }
          if (step.ack) {
            for (const a of step.ack) {
              const inc = alerting.incidents.list({ status: 'open', category: a.category }).find((i) => i.status === 'open');
              if (!inc) failures.push(`step at ${step.at}: no open ${a.category} incident to acknowledge`);
              else alerting.incidents.act(inc.id, 'ack', { note: a.note ?? 'fixture' }, a.user ?? 'fixture');
            }
          }
        }
        const ex = step.expect;
        if (!ex) continue;
        const active = alerting.alarms.active();
        const show = (list: ExpectAlarm[]) => active.map((a) => showAlarm(a) + (list.some((e) => e.message !== undefined) ? ` "${a.message}"` : '')).join(', ');
        if (ex.alarms && !setMatch(ex.alarms, active, matchAlarm, true)) {
          failures.push(`at ${step.at}: alarms\n      expected ${JSON.stringify(ex.alarms)}\n      got      [${show(ex.alarms)}]`);
        }
        if (ex.alarmsInclude && !setMatch(ex.alarmsInclude, active, matchAlarm, false)) {
          failures.push(`at ${step.at}: alarms should include ${JSON.stringify(ex.alarmsInclude)}\n      got [${show(ex.alarmsInclude)}]`);
        }
        if (ex.incidents) {
          const inc = alerting.incidents.list({ status: 'open', limit: 1000 });
          if (!setMatch(ex.incidents, inc, matchIncident, true)) {
            failures.push(`at ${step.at}: open incidents\n      expected ${JSON.stringify(ex.incidents)}\n      got      [${inc.map(showIncident).join('; ')}]`);
          }
        }
        if (ex.late !== undefined) {
          const n = alerting.alarms.late(1000).length;
          if (n !== ex.late) failures.push(`at ${step.at}: late records expected ${ex.late}, got ${n}`);
        }
        for (const [id, s] of Object.entries(ex.state ?? {})) {
          const got = alerting.deviceState(id);
          if (got !== s) failures.push(`at ${step.at}: state of ${id} expected ${s}, got ${got}`);
        }
      }
    } catch (err) {
      failures.push(`error: ${(err as Error).message}`);
    } finally {
      alerting.close();
      db.close();
    }
    results.push({ file, test: t.name, ok: failures.length === 0, failures });
  }
  return results;
}

function collect(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Run every `*.json` fixture under `dir` (recursively). */
export async function runRuleFixtures(dir: string): Promise<{ passed: number; failed: number; report: string; results: FixtureResult[] }> {
  const results: FixtureResult[] = [];
  for (const path of collect(dir)) {
    const file = relative(dir, path);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      results.push({ file, test: '(parse)', ok: false, failures: [(err as Error).message] });
      continue;
    }
    if (!validateFixture(data)) {
      const e = validateFixture.errors?.[0];
      results.push({ file, test: '(schema)', ok: false, failures: [`${e?.instancePath || '/'} ${e?.message ?? 'invalid'}`] });
      continue;
    }
    try {
      results.push(...runFixture(data as unknown as FixtureFile, file));
    } catch (err) {
      results.push({ file, test: '(setup)', ok: false, failures: [(err as Error).message] });
    }
  }
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const lines = results.map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.file} › ${r.test}${r.failures.map((f) => `\n    ${f}`).join('')}`);
  lines.push('', `${passed} passed, ${failed} failed`);
  return { passed, failed, report: lines.join('\n'), results };
}
