// `lookout notify encrypt` (a channel secret from standard input → {"encrypted": "enc:v1:…"} under the
// notify key; the secret is never an argument, so it stays out of the shell history and `ps`) and
// `lookout notify check` (validate the channel, policy and organisation files without starting the hub).
import { readFileSync } from 'node:fs';
import { createOrgBook, deriveKey, encryptSecret, importOrgDir, readChannelFile, readNotifyKey, readPolicyFile, DEFAULT_POLICIES_FILE } from '../../notify/index.js';
import { systemClock } from '../../schemas/index.js';
import { loadConfig } from '../config.js';
import type { Io } from '../io.js';
import { ROOT } from '../paths.js';

export async function notifyCommand(argv: string[], env: Record<string, string | undefined>, io: Io, stdin: () => string = () => readFileSync(0, 'utf8')): Promise<number> {
  const [sub] = argv;
  const config = loadConfig(env, { root: ROOT });
  if (sub === 'encrypt') {
    if (!config.notify.keyFile) {
      io.stderr.write('set LOOKOUT_NOTIFY_KEY_FILE (32 random bytes: head -c 32 /dev/urandom | base64 > notify.key)\n');
      return 2;
    }
    const secret = stdin().replace(/\r?\n$/, '');
    if (!secret) {
      io.stderr.write('give the secret on standard input, e.g.: lookout notify encrypt < robot.secret\n');
      return 2;
    }
    io.stdout.write(`${JSON.stringify({ encrypted: encryptSecret(secret, deriveKey(readNotifyKey(config.notify.keyFile), 'channel-secrets')) })}\n`);
    return 0;
  }
  if (sub === 'check') {
    const ch = config.notify.channelsFile ? readChannelFile(config.notify.channelsFile).channels.length : 0;
    const pol = readPolicyFile(config.notify.policiesFile ?? DEFAULT_POLICIES_FILE).length;
    const org = config.notify.orgDir ? await importOrgDir(createOrgBook({ clock: systemClock }), config.notify.orgDir) : null;
    io.stdout.write(`channels: ${ch}, policies: ${pol}${org ? `, units: ${org.units}, people: ${org.people}, shifts: ${org.shifts}` : ''} — ok\n`);
    return 0;
  }
  io.stderr.write('usage: lookout notify encrypt < SECRET_FILE | lookout notify check\n');
  return 2;
}
