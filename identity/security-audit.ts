// Security events from the stages (a device certificate refused at the TLS handshake, …) become audit
// rows (docs/architecture.md "Audit"; security-test-plan T22 "handshake fails; audit"). Anyone who can reach
// the port can cause them, so a flood must not grow the append-only log without bound: per
// (action, address) at most one row per window; the rest are counted and the next row says how many
// were not written. The Prometheus counters of the stage still count every event.
import type { Clock } from '../schemas/index.js';
import type { AuditInput } from './audit.js';

/** a security event of a stage (the broker's refused logins, TLS handshakes, rate limits …); `ts` is taken from the clock here */
export interface SecurityEvent {
  action: string;
  /** the device id or user name the client named (may be unknown) */
  target: string | null;
  ip: string | null;
  /** JSON */
  detail: string;
}

export interface SecurityAuditOptions {
  /** one row per (action, address) per window, ms */
  windowMs?: number;
  /** addresses remembered at once; events from further addresses share one window per action */
  maxKeys?: number;
}

export function createSecurityAudit(append: (e: AuditInput) => void, clock: Clock, o: SecurityAuditOptions = {}): (e: SecurityEvent) => void {
  const windowMs = o.windowMs ?? 60_000;
  const maxKeys = o.maxKeys ?? 10_000;
  const windows = new Map<string, { since: number; suppressed: number }>();
  return (e) => {
    const now = clock.now();
    let key = `${e.action}|${e.ip ?? ''}`;
    if (!windows.has(key) && windows.size >= maxKeys) {
      for (const [k, v] of windows) if (now - v.since >= windowMs) windows.delete(k);
      // still full: events from further addresses share one window per action
      if (windows.size >= maxKeys) key = `${e.action}|*`;
    }
    const w = windows.get(key);
    if (w && now - w.since < windowMs) {
      w.suppressed++;
      return;
    }
    const from = key.endsWith('|*') ? 'from addresses beyond the tracked ones' : 'from this address';
    const note = w?.suppressed ? ` (+${w.suppressed} more ${from} not recorded since ${new Date(w.since).toISOString()})` : '';
    windows.set(key, { since: now, suppressed: 0 });
    try {
      append({ ts: now, user: null, action: e.action, target: e.target, ip: e.ip, detail: e.detail + note });
    } catch {
      // the audit log reported it (its onError); a refused connection must not take the hub down
    }
  };
}
