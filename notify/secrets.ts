// Channel secrets (robot SEC… keys, AppSecrets, SMTP passwords, AccessKey secrets) are never written in
// the channel file in clear: each is a reference to a file of its own (mode 0600, e.g. a Kubernetes secret
// mount) or a value encrypted with the hub's notify key (AES-256-GCM). Once read, a secret lives in a
// `Secret`, which prints as "[secret]" in logs, JSON and util.inspect; only an adapter's signing code
// calls reveal().
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { LookoutError } from '../schemas/index.js';

export type SecretRef = { file: string } | { encrypted: string };

const PREFIX = 'enc:v1:';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}

/** `enc:v1:<iv>:<tag>:<ciphertext>` (base64url), AES-256-GCM under a 32-byte key */
export function encryptSecret(plain: string, key: Buffer): string {
  if (key.length !== 32) throw new LookoutError('LOOKOUT_ERR_CONFIG', 'the notify key must be 32 bytes');
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `${PREFIX}${iv.toString('base64url')}:${c.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
}

export function decryptSecret(text: string, key: Buffer): string {
  const parts = text.startsWith(PREFIX) ? text.slice(PREFIX.length).split(':') : [];
  if (parts.length !== 3) throw new LookoutError('LOOKOUT_ERR_NOTIFY_SECRET', `an encrypted secret must look like ${PREFIX}<iv>:<tag>:<data>`);
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(parts[0]!, 'base64url'));
    d.setAuthTag(Buffer.from(parts[1]!, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(parts[2]!, 'base64url')), d.final()]).toString('utf8');
  } catch {
    throw new LookoutError('LOOKOUT_ERR_NOTIFY_SECRET', 'an encrypted secret does not open with this notify key (another key, or the text was changed)');
  }
}

/** Read a secret reference; `where` names the field for the error message (never the value). */
export function resolveSecret(ref: SecretRef, key: Buffer | null, where: string): Secret {
  if ('file' in ref) {
    let text: string;
    try {
      text = readFileSync(ref.file, 'utf8');
    } catch (err) {
      throw new LookoutError('LOOKOUT_ERR_NOTIFY_SECRET', `${where}: cannot read ${ref.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const v = text.replace(/\r?\n$/, '');
    if (!v) throw new LookoutError('LOOKOUT_ERR_NOTIFY_SECRET', `${where}: ${ref.file} is empty`);
    return new Secret(v);
  }
  if (!key) throw new LookoutError('LOOKOUT_ERR_NOTIFY_SECRET', `${where} is encrypted but no notify key is configured (LOOKOUT_NOTIFY_KEY_FILE)`);
  try {
    return new Secret(decryptSecret(ref.encrypted, key));
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_NOTIFY_SECRET', `${where}: ${(err as LookoutError).message}`);
  }
}
