// Every channel kind the channel file accepts runs the one contract suite (channel.contract.ts) with the
// provider's own codes for a bad signature and a rate limit, and every signing adapter pins its signature to
// a documented golden vector — so a new kind cannot ship without them. Read from the test sources, which
// are what runs: the suite itself is in each `<adapter>.test.ts`.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOTIFY_CHANNEL_KINDS } from '../../schemas/index.js';

const dir = new URL('./', import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts').map((f) => ({ f, text: readFileSync(new URL(f, dir), 'utf8') }));
/** kinds whose requests carry a signature computed by us (email authenticates by SMTP AUTH instead) */
const SIGNED = { webhook: /vector/, 'ding-robot': /golden vector/, 'zzd-work': /golden vector/, 'sms-cloudmas': /vector/, 'sms-aliyun': /documented example signature/ } as const;

describe('every channel kind is in the contract suite', () => {
  for (const kind of NOTIFY_CHANNEL_KINDS) {
    it(`${kind}: contract suite with the provider's bad-signature and rate-limit codes${kind in SIGNED ? ', signature golden vector' : ''}`, () => {
      const src = sources.find((s) => s.text.includes(`channelContract('${kind}'`));
      expect(src, `no channelContract('${kind}', …) in notify/channels/*.test.ts`).toBeDefined();
      expect(src!.text).toMatch(/badSignatureCode: '[^']+'/);
      expect(src!.text).toMatch(/rateLimitCode: '[^']+'/);
      const vector = SIGNED[kind as keyof typeof SIGNED];
      if (vector) expect(src!.text).toMatch(vector);
    });
  }
});
