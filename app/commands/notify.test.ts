import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decryptSecret, deriveKey, readNotifyKey } from '../../notify/index.js';
import { tempDir } from '../../test/helpers/temp.js';
import { notifyCommand } from './notify.js';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: '', err: '' };
  out.on('data', (c: Buffer) => (text.out += c.toString()));
  err.on('data', (c: Buffer) => (text.err += c.toString()));
  return { io: { stdout: out, stderr: err }, text };
}

describe('lookout notify', () => {
  const dir = tempDir();
  const keyFile = path.join(dir, 'notify.key');
  writeFileSync(keyFile, randomBytes(32).toString('hex'));
  const env = { LOOKOUT_DATA_DIR: dir, LOOKOUT_NOTIFY_KEY_FILE: keyFile };
  it('encrypt: reads the secret from stdin and prints a reference the hub opens', async () => {
    const { io: i, text } = io();
    expect(await notifyCommand(['encrypt'], env, i, () => 'SECrobot-secret\n')).toBe(0);
    const ref = JSON.parse(text.out) as { encrypted: string };
    expect(text.out).not.toContain('SECrobot-secret');
    expect(decryptSecret(ref.encrypted, deriveKey(readNotifyKey(keyFile), 'channel-secrets'))).toBe('SECrobot-secret');
  });
  it('check: validates the shipped policies and the organisation folder', async () => {
    const { io: i, text } = io();
    const org = new URL('../../notify/fixtures/org/', import.meta.url).pathname;
    expect(await notifyCommand(['check'], { ...env, LOOKOUT_ORG_DIR: org }, i)).toBe(0);
    expect(text.out).toMatch(/policies: 4, units: 5, people: 6, shifts: 4 — ok/);
  });
});
