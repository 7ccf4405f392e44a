// The audit trail's record shapes (identity/audit.ts writes and verifies them, identity/repositories.ts
// stores them), in a file of their own so the log and its repository do not import each other.

export interface AuditInput {
  ts: number;
  /** the acting user, or null for the system / an anonymous caller */
  user: string | null;
  /** e.g. login, login-failed, logout, user-add, user-role, device-add, incident-ack, access-denied */
  action: string;
  target: string | null;
  ip: string | null;
  detail?: string | null;
}

export interface AuditEntry {
  seq: number;
  ts: number;
  user: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  detail: string | null;
  prevHash: string;
  hash: string;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  user?: string;
  action?: string;
  /** rows with seq below this (paging backwards) */
  before?: number;
  limit?: number;
}

export type VerifyResult =
  | { ok: true; rows: number; firstSeq: number | null; lastSeq: number | null; head: string }
  | { ok: false; rows: number; badSeq: number; reason: string };
