// The release stage's state as async repositories (docs/architecture.md), implemented for SQLite and PostgreSQL
// in db/repos/release.ts and held to test/contract/repos/release-repositories.test.ts. Drafts carry a row
// version (an edit names the version it read); published messages are insert-only — the database itself
// refuses UPDATE and DELETE of them — and their identifiers are drawn under a lock, so two hub nodes
// publishing in the same second still get distinct sequence digits (GB/T 35965.1 Annex A).
import type { PublishedMessage, ReleaseDraft, Report, ReportVersion } from '../schemas/index.js';

export interface PublishPlan {
  /** the second (epoch ms, whole seconds) the message is sent in */
  sentSecond: number;
  /** the 0–9 sequence digit within that second */
  n: number;
}

export interface ReleaseRepository {
  /** stores a new draft; its id (REL-YYYYMMDD-NNNN, numbered per day under a lock) is drawn here */
  createDraft(d: Omit<ReleaseDraft, 'id' | 'rowVersion'>, day: string): Promise<ReleaseDraft>;
  getDraft(id: string): Promise<ReleaseDraft | null>;
  /** newest first */
  listDrafts(q: { state?: ReleaseDraft['state']; limit: number }): Promise<ReleaseDraft[]>;
  /** replaces the draft when its row version is still `expected` (LOOKOUT_ERR_DB_CONFLICT otherwise) */
  updateDraft(d: ReleaseDraft, expected: number): Promise<ReleaseDraft>;
  /**
   * Publishes under the publish lock: finds the first second from `at` with a free sequence digit for the
   * identifier prefix, asks `build` for the message, inserts it and marks the draft published (version checked).
   */
  publish(draft: ReleaseDraft, expected: number, prefix: string, at: number, build: (plan: PublishPlan) => { message: PublishedMessage; cap: string; gb: string }): Promise<PublishedMessage>;
  getPublished(identifier: string): Promise<PublishedMessage | null>;
  /** the stored documents of a published message, byte for byte as issued */
  documents(identifier: string): Promise<{ cap: string; gb: string } | null>;
  /** newest first */
  listPublished(q: { limit: number; sourceId?: string }): Promise<PublishedMessage[]>;
}

export interface ReportRepository {
  /** inserts the report unless one with its id exists (several nodes, or a repeated change, open it once); true when inserted */
  open(r: Omit<Report, 'rowVersion' | 'overdue'>): Promise<boolean>;
  get(id: string): Promise<Report | null>;
  forIncident(incidentId: string): Promise<Report[]>;
  /** reports still due, soonest due first */
  due(limit: number): Promise<Report[]>;
  /** replaces the report when its row version is still `expected` and appends the version, in one transaction */
  save(r: Report, expected: number, v: ReportVersion): Promise<Report>;
  /** every saved version, oldest first */
  versions(reportId: string): Promise<ReportVersion[]>;
}
