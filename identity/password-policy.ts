// Password policy (MLPS 2.0 level 3 8.1.4.1 a "口令复杂度"; NIST SP 800-63B §3.1.1.2: refuse passwords that are
// commonly used, expected or compromised, and context-specific words such as the user name). A password
// must have ≥ 10 characters from 3 of 4 classes, at least 6 different characters, must not be built on
// the user name, and must not be easy to guess by the zxcvbn estimate (its common-password and keyboard-pattern
// lists, @zxcvbn-ts/language-common): score ≥ 3, i.e. about 10^8 guesses or more.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import { LookoutError } from '../schemas/index.js';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 256;
/** fewest different characters ('Aaaaaaaaa1' and eight spaces + 'a1' have 3) */
export const PASSWORD_MIN_DISTINCT = 6;
/** lowest zxcvbn score accepted (0–4; 3 = "safely unguessable", ≥ 10^8 guesses) */
export const PASSWORD_MIN_SCORE = 3;

const ADVICE = 'choose three or four unrelated words joined by symbols, with a digit, e.g. "Lantern-Orbit-7-River"';

// built once: the dictionaries are ~1 MB and the factory ranks them on construction
let estimator: ZxcvbnFactory | null = null;
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  return estimator;
}

/** null when the password meets the policy, else the reason and what to choose (for LOOKOUT_ERR_WEAK_PASSWORD). */
export function passwordProblem(password: string, username?: string): string | null {
  if (typeof password !== 'string') return 'password must be a string';
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters (got ${chars.length}); ${ADVICE}`;
  if (chars.length > PASSWORD_MAX_LENGTH) return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return `password must mix at least 3 of: lower-case letters, upper-case letters, digits, symbols (has ${classes}); ${ADVICE}`;
  if (new Set(chars).size < PASSWORD_MIN_DISTINCT) return `password must have at least ${PASSWORD_MIN_DISTINCT} different characters; ${ADVICE}`;
  // the name as (at least) half of the password; a shorter mention is left to zxcvbn, which gets the name too
  if (username && username.length >= 3 && username.length * 2 >= chars.length && password.toLowerCase().includes(username.toLowerCase())) {
    return `password must not be built on the user name; ${ADVICE}`;
  }
  const r = zxcvbn().check(password, username ? [username] : []);
  if (r.score < PASSWORD_MIN_SCORE) return `password is a common password or an easy pattern (guessable in about 10^${Math.floor(r.guessesLog10)} tries); ${ADVICE}`;
  return null;
}

export function assertPasswordPolicy(password: string, username?: string): void {
  const p = passwordProblem(password, username);
  if (p) throw new LookoutError('LOOKOUT_ERR_WEAK_PASSWORD', p);
}
