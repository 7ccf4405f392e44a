// Notification policies: validated once at load (schema in schemas/notify-policy.ts, then the checks a
// schema cannot make), compiled to durations in ms, matched against an incident (first match wins).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LookoutError, policyFileSchema, type PolicyTarget as DutyTarget, type IncidentCategory, type Level, type NotifyPolicy, type PolicyFile } from '../schemas/index.js';
import { parseDuration } from '../alerting/index.js';

export const DEFAULT_POLICIES_FILE = fileURLToPath(new URL('./policies/default.json', import.meta.url));

const ajv = new Ajv2020({ allErrors: false, strict: false });
const validate = ajv.compile(policyFileSchema);

export type CompiledStep = { kind: 'notify' | 'call' | 'release'; target: DutyTarget; channels: string[] | null } | { kind: 'wait'; ms: number } | { kind: 'repeat'; times: number };

export interface CompiledPolicy {
  id: string;
  title: string;
  policy: NotifyPolicy;
  important: boolean | null;
  /** `release`: the policy's steps are release steps, run once for each published warning message */
  trigger: 'incident' | 'release';
  steps: CompiledStep[];
}

export interface PolicyIncident {
  level: Level;
  category: IncidentCategory;
  township: string | null;
  /** a warning message's townships (it matches a policy's `townships` when one of them is listed) */
  townships?: readonly string[];
  drill: boolean;
}

function fail(name: string, msg: string): never {
  throw new LookoutError('LOOKOUT_ERR_NOTIFY_CONFIG', `${name}: ${msg}`);
}

export function validatePolicyFile(data: unknown, name = 'policy file'): CompiledPolicy[] {
  if (!validate(data)) {
    const e = validate.errors?.[0];
    fail(name, e ? `${e.instancePath || '/'} ${e.message ?? 'invalid'}` : 'invalid');
  }
  const f = data as PolicyFile;
  const seen = new Set<string>();
  return f.policies.map((p, i) => {
    if (seen.has(p.id)) fail(name, `duplicate policy id ${p.id}`);
    seen.add(p.id);
    let waited = false;
    let notified = false;
    const release = p.steps.some((s) => 'release' in s);
    // a published message is told once: waits, repeats and calls belong to the chains of incidents
    if (release && !p.steps.every((s) => 'release' in s)) fail(name, `/policies/${i} mixes release steps with others: a release policy has release steps only`);
    const steps = p.steps.map((s, j): CompiledStep => {
      const where = `/policies/${i}/steps/${j}`;
      if ('wait' in s) {
        let ms: number;
        try {
          ms = parseDuration(s.wait);
        } catch (err) {
          fail(name, `${where}/wait ${(err as Error).message}`);
        }
        if (ms <= 0) fail(name, `${where}/wait must be longer than 0`);
        waited = true;
        return { kind: 'wait', ms };
      }
      if ('repeat' in s) {
        // a repeat with no wait before it would page in a tight loop
        if (!waited) fail(name, `${where}/repeat needs a wait step before it`);
        return { kind: 'repeat', times: s.repeat.times };
      }
      notified = true;
      if ('release' in s) return { kind: 'release', target: s.release, channels: s.channels ?? null };
      if ('notify' in s) return { kind: 'notify', target: s.notify, channels: s.channels ?? null };
      return { kind: 'call', target: s.call, channels: null };
    });
    if (!notified) fail(name, `/policies/${i} notifies nobody: add a notify step`);
    return { id: p.id, title: p.title ?? p.id, policy: p, important: p.important ?? null, trigger: release ? 'release' : 'incident', steps };
  });
}

export function readPolicyFile(path: string): CompiledPolicy[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    fail(path, (err as Error).message);
  }
  return validatePolicyFile(data, path);
}

export function matchPolicy(policies: readonly CompiledPolicy[], inc: PolicyIncident, trigger: CompiledPolicy['trigger'] = 'incident'): CompiledPolicy | null {
  for (const p of policies) {
    if (p.trigger !== trigger) continue;
    const m = p.policy.match;
    if (m.levels && !m.levels.includes(inc.level)) continue;
    if (m.categories && !m.categories.includes(inc.category)) continue;
    const towns = inc.townships ?? (inc.township ? [inc.township] : []);
    if (m.townships && !towns.some((t) => m.townships!.includes(t))) continue;
    if (m.drill !== undefined && m.drill !== inc.drill) continue;
    return p;
  }
  return null;
}

/** red and orange use the important channels unless the policy says otherwise */
export function isImportant(p: CompiledPolicy, level: Level): boolean {
  return p.important ?? (level === 'red' || level === 'orange');
}
