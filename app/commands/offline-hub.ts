// Offline work on the hub's database (device registration, a second-factor reset): the hub is built but
// never started, so nothing listens, and it is closed again whatever the command did.
import os from 'node:os';
import pino from 'pino';
import type { Config } from '../config.js';
import { createHub, type Hub } from '../hub.js';

/** Opens the hub's database without listening (device registration and other offline work). */
export async function withHub<T>(config: Config, fn: (hub: Hub) => Promise<T>): Promise<T> {
  const hub = await createHub(config, { logger: pino({ level: 'warn' }) });
  try {
    return await fn(hub);
  } finally {
    await hub.close();
  }
}

/** Device registrations from the command line are audited like the REST route's (command-ui/server/routes): no
 *  Lookout user is logged in here, so the row names the operating-system account that ran the command. */
export function auditCli(hub: Hub, action: string, target: string | null, detail: Record<string, unknown>): void {
  let osUser: string | null = null;
  try {
    osUser = os.userInfo().username;
  } catch {
    /* no passwd entry for this uid (some containers) */
  }
  hub.audit.append({ ts: Date.now(), user: null, action, target, ip: null, detail: JSON.stringify({ via: 'lookout CLI', osUser, ...detail }) });
}

