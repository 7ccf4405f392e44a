// As fastify's test/internals/errors.test.js: every code is documented, and every documented code exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS, LookoutError } from './errors.js';

describe('error catalogue', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  it('documents every code with its status', () => {
    for (const [code, e] of Object.entries(ERRORS)) expect(doc).toContain(`| \`${code}\` | ${e.status} |`);
  });
  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/`(LOOKOUT_ERR_[A-Z0-9_]+)`/g)].map((m) => m[1]);
    for (const code of documented) expect(Object.keys(ERRORS)).toContain(code);
  });
  it('builds errors with code, status and an actionable message', () => {
    const e = new LookoutError('LOOKOUT_ERR_CONFIG', 'LOOKOUT_HTTP_PORT must be a port');
    expect(e.code).toBe('LOOKOUT_ERR_CONFIG');
    expect(e.statusCode).toBe(500);
    expect(e.message).toMatch(/^LOOKOUT_HTTP_PORT must be a port — Invalid configuration/);
  });
});
