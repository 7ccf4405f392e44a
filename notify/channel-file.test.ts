import { describe, expect, it } from 'vitest';
import { validateChannelFile } from './channel-file.js';

describe('channel file', () => {
  const ok = { version: 1, channels: [{ id: 'hook', kind: 'webhook', url: 'https://x.example/h', secret: { file: '/run/secrets/hook' } }] };
  it('accepts a valid file', () => {
    expect(validateChannelFile(ok).channels[0]!.id).toBe('hook');
  });
  it('refuses a secret given in clear, naming the field', () => {
    expect(() => validateChannelFile({ version: 1, channels: [{ ...ok.channels[0], secret: 'plain-text' }] })).toThrow(/\/channels\/0\/secret/);
  });
  it('refuses an unknown field of a kind', () => {
    expect(() => validateChannelFile({ version: 1, channels: [{ ...ok.channels[0], token: 'x' }] })).toThrow(/token/);
  });
  it('refuses duplicate ids and unknown kinds', () => {
    expect(() => validateChannelFile({ version: 1, channels: [ok.channels[0], ok.channels[0]] })).toThrow(/duplicate channel id hook/);
    expect(() => validateChannelFile({ version: 1, channels: [{ id: 'x', kind: 'pager' }] })).toThrow(/kind/);
  });
});
