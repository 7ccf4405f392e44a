// The register of vulnerable sites (脆弱场所: schools, kindergartens, hospitals, elderly homes), scoped like
// resources: a township user sees its townships' sites and the district's (township null) and changes only
// its own. A layer of the map and of the zone query (docs/prepare.md "Vulnerable sites").
import { Ajv2020 } from 'ajv/dist/2020.js';
import { LookoutError, VULNERABLE_KINDS, vulnerableSiteInputSchema, type UserScope, type VulnerableKind, type VulnerableSite, type VulnerableSiteInput } from '../schemas/index.js';
import type { VulnerableSiteRepository } from './repositories.js';
import { check, checkId, ownedBy, visibleTo } from './resources.js';

const ajv = new Ajv2020({ allErrors: false, strict: false });
const validInput = ajv.compile<VulnerableSiteInput>(vulnerableSiteInputSchema);

export function createVulnerableSiteService(deps: { repo: VulnerableSiteRepository; now: () => number }) {
  const { repo } = deps;
  const outOfScope = (what: string) => new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} is outside your scope`);
  const visible = async (id: string, scope: UserScope) => {
    const s = await repo.get(checkId(id, 'vulnerable site'));
    if (!s || !visibleTo(scope, s.township)) throw new LookoutError('LOOKOUT_ERR_NOT_FOUND', `vulnerable site ${id}`);
    return s;
  };
  const self = {
    list(filter: { kind?: VulnerableKind }, scope: UserScope): Promise<VulnerableSite[]> {
      if (filter.kind && !VULNERABLE_KINDS.includes(filter.kind)) throw new LookoutError('LOOKOUT_ERR_VALIDATION', `kind must be one of ${VULNERABLE_KINDS.join(', ')}`);
      return repo.list({ ...filter, ...(scope ? { townships: scope } : {}) });
    },
    get: visible,
    /** the checks of `put` that need no database: id, body, the township in the user's scope */
    validate(id: string, body: unknown, scope: UserScope): VulnerableSiteInput {
      checkId(id, 'vulnerable site');
      const input = check<VulnerableSiteInput>(validInput, body, 'vulnerable site');
      if (!ownedBy(scope, input.township ?? null)) throw outOfScope(`township ${input.township ?? '(district)'}`);
      return input;
    },
    async put(id: string, body: unknown, scope: UserScope): Promise<VulnerableSite> {
      const input = self.validate(id, body, scope);
      const before = await repo.get(id);
      if (before && !ownedBy(scope, before.township)) throw outOfScope(`vulnerable site ${id}`);
      const s: VulnerableSite = { ...input, township: input.township ?? null, id, updatedAt: deps.now() };
      await repo.put(s);
      return s;
    },
    async remove(id: string, scope: UserScope): Promise<void> {
      const s = await visible(id, scope);
      if (!ownedBy(scope, s.township)) throw outOfScope(`vulnerable site ${id}`);
      await repo.remove(id);
    },
  };
  return self;
}

export type VulnerableSiteService = ReturnType<typeof createVulnerableSiteService>;
