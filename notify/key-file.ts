// The notify key (LOOKOUT_NOTIFY_KEY_FILE): 32 random bytes, as raw bytes, 64 hex digits or base64. Two
// keys are derived from it (HKDF-SHA256), one to open encrypted channel secrets and one to sign
// acknowledgement links, so neither use can stand in for the other.
import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LookoutError } from '../schemas/index.js';

export function readNotifyKey(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_NOTIFY_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const text = raw.toString('utf8').trim();
  const key = raw.length === 32 ? raw : /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_NOTIFY_KEY_FILE: ${file} must hold 32 bytes (raw, 64 hex digits or base64); make one with: head -c 32 /dev/urandom | base64 > ${file}`);
  return key;
}

export function deriveKey(master: Buffer, use: 'channel-secrets' | 'ack-links'): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `lookout-notify-${use}`, 32));
}
