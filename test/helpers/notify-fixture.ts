// A notifier set-up for hub tests: the notify key, a channel file, and an organisation folder holding the
// fixture units and people (notify/fixtures/org/) with an optional roster; returns the hub's environment.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FIXTURES = new URL('../../notify/fixtures/org/', import.meta.url).pathname;

/** a roster time as roster.csv writes it (China Standard Time, minutes) */
export const cst = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

export function notifyEnv(dir: string, channels: unknown[], roster: string | null = null): Record<string, string> {
  writeFileSync(path.join(dir, 'notify.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
  writeFileSync(path.join(dir, 'channels.json'), JSON.stringify({ version: 1, channels }));
  const org = path.join(dir, 'org');
  mkdirSync(org, { recursive: true });
  copyFileSync(path.join(FIXTURES, 'units.csv'), path.join(org, 'units.csv'));
  copyFileSync(path.join(FIXTURES, 'people.csv'), path.join(org, 'people.csv'));
  if (roster) writeFileSync(path.join(org, 'roster.csv'), roster);
  return { LOOKOUT_NOTIFY_CHANNELS_FILE: path.join(dir, 'channels.json'), LOOKOUT_NOTIFY_KEY_FILE: path.join(dir, 'notify.key'), LOOKOUT_PUBLIC_URL: 'https://lookout.hy.example', LOOKOUT_ORG_DIR: org };
}
