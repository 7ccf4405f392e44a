// Security events the broker reports for the audit trail (docs/architecture.md "Audit every … failed login",
// security-test-plan T12/T20). The broker does not know the audit log: app/hub.ts passes
// `onSecurityEvent` and appends each event as an audit row (user = null, the device in `target`).
//
// Failed device logins are aggregated, because one row per failure would let a client write 100 rows
// a second into a log that is kept for six months: the first failure of an (address, device) pair is
// reported at once; further failures of that pair within `windowMs` are counted and reported in one
// summary row when the window closes. At most `maxOpen` pairs are followed at once; beyond that (many
// addresses or ids failing together) failures go into one overflow summary with no target.
import type { Clock, TimerHandle } from '../schemas/index.js';

export type SecurityAction = 'mqtt-login-failed' | 'mqtt-login-backoff' | 'mqtt-flapping' | 'mqtt-tls-refused' | 'mqtt-rate-limited';

export interface SecurityEvent {
  ts: number;
  action: SecurityAction;
  /** the device id the client named (may be unknown to the registry) */
  target: string | null;
  ip: string | null;
  /** JSON */
  detail: string;
}

export interface FailedLoginReport {
  /** records one failed login; true when it was reported at once (the first of its window) */
  failed(ip: string | null, device: string | null, reason: string): boolean;
  /** a login refused while backing off: added to the pair's open window if there is one (it never opens
   *  one, so a client naming a new id each time while its address backs off adds no rows) */
  refused(ip: string | null, device: string | null, reason: string): void;
  /** reports every open window's summary now (shutdown) */
  close(): void;
}

interface Window {
  ip: string | null;
  device: string | null;
  openedAt: number;
  /** failures after the first */
  more: number;
  reasons: Record<string, number>;
  overflow: boolean;
  /** overflow window only: a few of the addresses seen */
  ips: Set<string>;
  timer: TimerHandle;
}

const OVERFLOW = '\u0000overflow';

export function createFailedLoginReport(clock: Clock, emit: (e: SecurityEvent) => void, opts: { windowMs?: number; maxOpen?: number } = {}): FailedLoginReport {
  const windowMs = opts.windowMs ?? 60_000;
  const maxOpen = opts.maxOpen ?? 1000;
  const open = new Map<string, Window>();

  function summarise(key: string) {
    const w = open.get(key);
    if (!w) return;
    open.delete(key);
    clock.clearTimeout(w.timer);
    if (w.more === 0) return;
    const detail: Record<string, unknown> = { count: w.more, reasons: w.reasons, windowS: windowMs / 1000, since: new Date(w.openedAt).toISOString(), summary: true };
    if (w.overflow) detail.ips = [...w.ips];
    emit({ ts: clock.now(), action: 'mqtt-login-failed', target: w.device, ip: w.ip, detail: JSON.stringify(detail) });
  }

  function count(w: Window, ip: string | null, reason: string) {
    w.more++;
    w.reasons[reason] = (w.reasons[reason] ?? 0) + 1;
    if (w.overflow && ip && w.ips.size < 20) w.ips.add(ip);
  }
  const pair = (ip: string | null, device: string | null) => `${ip ?? ''}\u0000${device ?? ''}`;

  return {
    failed(ip, device, reason) {
      let key = pair(ip, device);
      if (!open.has(key) && open.size >= maxOpen) key = OVERFLOW;
      const w = open.get(key);
      if (w) {
        count(w, ip, reason);
        return false;
      }
      const overflow = key === OVERFLOW;
      const now = clock.now();
      open.set(key, { ip: overflow ? null : ip, device: overflow ? null : device, openedAt: now, more: 0, reasons: {}, overflow, ips: new Set(ip ? [ip] : []), timer: clock.setTimeout(() => summarise(key), windowMs) });
      const detail = overflow ? { count: 1, reasons: { [reason]: 1 }, overflow: `more than ${maxOpen} (address, device) pairs failing at once; further failures are summarised in one row`, device } : { count: 1, reasons: { [reason]: 1 } };
      emit({ ts: now, action: 'mqtt-login-failed', target: overflow ? null : device, ip, detail: JSON.stringify(detail) });
      return true;
    },
    refused(ip, device, reason) {
      const w = open.get(pair(ip, device));
      if (w) count(w, ip, reason);
    },
    close() {
      for (const key of [...open.keys()]) summarise(key);
    },
  };
}
