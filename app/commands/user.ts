// `lookout user reset-2fa NAME`.
import { resetSecondFactor } from '../../identity/index.js';
import type { Config } from '../config.js';
import type { Io } from '../io.js';
import { withHub } from './offline-hub.js';

/** On the hub's host (whoever runs it can read the database anyway): the break-glass for a lost phone. */
export async function userReset2fa(name: string, config: Config, io: Io): Promise<number> {
  return withHub(config, async (hub) => {
    if (!hub.users.get(name)) {
      io.stderr.write(`no user "${name}"\n`);
      return 1;
    }
    const { had, detail } = resetSecondFactor(hub.twoFactor, hub.users, name);
    hub.audit.append({ ts: Date.now(), user: null, action: 'user-2fa-reset', target: name, ip: null, detail: `lookout user reset-2fa on the host; ${detail}` });
    io.stdout.write(had ? `removed the second factor of "${name}"; they enrol a new authenticator app at their next login\n` : `"${name}" had no second factor\n`);
    return 0;
  });
}

