import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICIES_FILE, isImportant, matchPolicy, readPolicyFile, validatePolicyFile } from './policy.js';

const cases = JSON.parse(readFileSync(new URL('./fixtures/policy-cases.json', import.meta.url), 'utf8')) as { cases: { incident: Parameters<typeof matchPolicy>[1]; policy: string | null }[] };

describe('notification policies', () => {
  const shipped = readPolicyFile(DEFAULT_POLICIES_FILE);
  it.each(cases.cases)('fixture: $incident.level $incident.category $incident.township → $policy', (c) => {
    expect(matchPolicy(shipped, c.incident)?.id ?? null).toBe(c.policy);
  });
  it('red and orange are important unless the policy says otherwise', () => {
    expect(isImportant(shipped[0]!, 'red')).toBe(true);
    expect(isImportant(shipped[2]!, 'yellow')).toBe(false);
  });
  it('first match wins; township and drill narrow a policy', () => {
    const p = validatePolicyFile({
      version: 1,
      policies: [
        { id: 'drill', match: { drill: true }, steps: [{ notify: { tier: 'township', role: 'officer' } }] },
        { id: 'yq-gas', match: { categories: ['gas'], townships: ['331003107'] }, important: true, steps: [{ notify: { tier: 'township', role: 'all' } }] },
        { id: 'rest', match: {}, steps: [{ notify: { tier: 'district', role: 'officer' } }] },
      ],
    });
    expect(matchPolicy(p, { level: 'blue', category: 'gas', township: '331003107', drill: true })!.id).toBe('drill');
    expect(matchPolicy(p, { level: 'blue', category: 'gas', township: '331003107', drill: false })!.id).toBe('yq-gas');
    expect(isImportant(p[1]!, 'blue')).toBe(true);
    expect(matchPolicy(p, { level: 'blue', category: 'gas', township: '331003108', drill: false })!.id).toBe('rest');
  });
  it('release policies answer published messages only; a message matches by any of its townships', () => {
    const p = validatePolicyFile({
      version: 1,
      policies: [
        { id: 'yq-release', match: { townships: ['331003107'] }, steps: [{ release: { tier: 'township', role: 'all' }, channels: ['sms'] }] },
        { id: 'release', match: { drill: false }, steps: [{ release: { tier: 'district', role: 'all' } }] },
        { id: 'rest', match: {}, steps: [{ notify: { tier: 'district', role: 'officer' } }] },
      ],
    });
    expect(p.map((x) => x.trigger)).toEqual(['release', 'release', 'incident']);
    expect(p[0]!.steps).toEqual([{ kind: 'release', target: { tier: 'township', role: 'all' }, channels: ['sms'] }]);
    expect(matchPolicy(p, { level: 'red', category: 'gas', township: '331003107', drill: false })!.id).toBe('rest');
    const msg = { level: 'red', category: 'rainstorm', township: null, drill: false } as const;
    expect(matchPolicy(p, { ...msg, townships: ['331003101', '331003107'] }, 'release')!.id).toBe('yq-release');
    expect(matchPolicy(p, { ...msg, townships: [] }, 'release')!.id).toBe('release');
    expect(matchPolicy(p, { ...msg, drill: true, townships: ['331003101'] }, 'release')).toBeNull();
    expect(matchPolicy(shipped, { ...msg, townships: [] }, 'release')!.id).toBe('release');
  });
  it.each([
    [{ version: 1, policies: [{ id: 'x', match: {}, steps: [{ release: { tier: 'township', role: 'all' } }, { wait: '5m' }] }] }, /mixes release steps/],
    [{ version: 1, policies: [{ id: 'x', match: {}, steps: [{ notify: { tier: 'county', role: 'officer' } }] }] }, /steps\/0/],
    [{ version: 1, policies: [{ id: 'x', match: {}, steps: [{ notify: { tier: 'township', role: 'officer' } }, { repeat: { times: 2 } }] }] }, /repeat needs a wait/],
    [{ version: 1, policies: [{ id: 'x', match: {}, steps: [{ wait: '5m' }] }] }, /notifies nobody/],
    [{ version: 1, policies: [{ id: 'x', match: { levels: ['purple'] }, steps: [{ notify: { tier: 'township', role: 'officer' } }] }] }, /levels/],
    [{ version: 1, policies: [{ id: 'x', match: {}, steps: [{ wait: '5 minutes' }] }] }, /steps\/0 must/],
    [{ version: 2, policies: [] }, /version/],
  ])('refuses an invalid policy file naming the field (%#)', (data, msg) => {
    expect(() => validatePolicyFile(data)).toThrow(msg);
  });
});
