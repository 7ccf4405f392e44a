// Tiered scope (分级): a user sees and acts on the incidents of the district (scope null) or of a list of
// townships. One predicate serves REST, socket pushes, CAP and the console, so every door applies the same
// rule; an incident without a township (the hub's own system incidents) belongs to the district tier only.
import { LookoutError, type User, type UserScope } from '../schemas/index.js';

/** the district sees everything; a township user only incidents whose township is in its list */
export function inScope(scope: UserScope | undefined, township: string | null | undefined): boolean {
  if (!scope) return true;
  return typeof township === 'string' && scope.includes(township);
}

/** throws 403 LOOKOUT_ERR_OUT_OF_SCOPE when the township lies outside the user's scope */
export function assertInScope(user: Pick<User, 'scope'>, township: string | null | undefined, what: string): void {
  if (!inScope(user.scope, township)) throw new LookoutError('LOOKOUT_ERR_OUT_OF_SCOPE', `${what} is outside your scope (${user.scope!.join(', ')})`);
}

/** the stored form (a JSON text, or NULL for the district) → the scope */
export function parseScope(stored: string | null): UserScope {
  if (stored === null) return null;
  const v = JSON.parse(stored) as unknown;
  return Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string') ? (v as string[]) : null;
}

/** a display line: 区级 district, or the township codes */
export function describeScope(scope: UserScope | undefined): string {
  return scope ? scope.join(',') : 'district';
}
