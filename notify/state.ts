// What the notifier keeps across a restart (docs/notify.md, Persistence), as the port a repository
// implements (db/repos/notify.ts, SQLite and PostgreSQL): the delivery log, each incident's escalation chain
// (where it stands and when its next step is due), the sends still queued on a channel, and the
// acknowledgement links already used. Without a repository all of it lives in memory.
import type { DeliveryRecord } from './delivery-log.js';
import type { EscalationIncident, Outgoing } from './types.js';

/** an escalation chain as it stands: resumed at `dueAt` after a restart; `done` chains are not started again */
export interface SavedRun {
  incident: EscalationIncident;
  policyId: string;
  /** the next step to run */
  pc: number;
  loops: number;
  reminder: number;
  /** when the step at `pc` is due (the end of a wait); null when the chain is done */
  dueAt: number | null;
  done: boolean;
}

/** a send still waiting on a channel's queue (or retrying) */
export interface SavedSend {
  channelId: string;
  out: Outgoing;
  attempt: number;
  notBefore: number;
}

export interface NotifyRepository {
  appendDeliveries(recs: readonly DeliveryRecord[]): Promise<void>;
  /** oldest first; `limit` keeps the newest */
  deliveries(q?: { incidentId?: string; limit?: number }): Promise<DeliveryRecord[]>;
  /** of these delivery keys, those a channel already accepted (a final `sent` record) */
  sentKeys(keys: readonly string[]): Promise<Set<string>>;
  loadRuns(): Promise<SavedRun[]>;
  saveRun(run: SavedRun, now: number): Promise<void>;
  loadSends(): Promise<SavedSend[]>;
  saveSend(send: SavedSend): Promise<void>;
  deleteSend(channelId: string, key: string): Promise<void>;
  /** false when the nonce was already used (one statement: the primary key decides) */
  markUsed(nonce: string, expiresAt: number): Promise<boolean>;
  /** links used and not yet expired */
  usedLinks(now: number): Promise<{ nonce: string; expiresAt: number }[]>;
  purgeUsed(now: number): Promise<void>;
}
