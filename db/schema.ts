// The hub's relational state as Kysely sees it: one interface per table, shared by the SQLite and the
// PostgreSQL backend. Table and column names are the ones the stages' SQLite code has always used, so an
// existing data/lookout.db is adopted as it is (migration 1 creates only what is missing) and
// `lookout db copy` moves rows column for column. Flags stay 0/1 integers on both backends for the same
// reason; times are epoch milliseconds (bigint on PostgreSQL, read back as numbers: db/connect.ts).
import type { Generated } from 'kysely';

export interface LookoutSchema {
  server_audit: { seq: number; ts: number; user: string | null; action: string; target: string | null; ip: string | null; detail: string | null; prev_hash: string; hash: string };
  server_users: { username: string; role: string; display_name: string | null; salt: Buffer; hash: Buffer; created_at: number; scope: string | null };
  server_sessions: { token_hash: string; username: string; expires_at: number; created_at: number };
  server_login_failures: { username: string; failures: number; locked_until: number; updated_at: number };
  server_totp: { username: string; secret: string | null; enrolled_at: number | null; last_step: Generated<number>; pending_secret: string | null; pending_until: number | null };
  broker_devices: {
    id: string; kind: string; name: string; lon: number; lat: number; township: string | null; attributes: Generated<string>;
    token_salt: Buffer; token_hash: Buffer; created_at: number; retired_at: number | null; token_revoked_at: number | null; rev: Generated<number>;
  };
  /** broker/login-history.ts: devices that logged in from an address (migration 0045) */
  broker_device_logins: { address: string; device_id: string; last_at: number };
  alert_meta: { k: string; v: string };
  alert_alarms: {
    id: string; akey: string; rule_id: string; device_id: string; incident_id: string | null; category: string; level: string; state: string;
    metric: string | null; value: number | null; message: string; message_en?: string | null; raised_at: number; updated_at: number; cleared_at: number | null;
    drill: number; late: number; members: string | null; silenced: Generated<number>; auto_clear_at: number | null;
    lon: number | null; lat: number | null; township: string | null; row_version: Generated<number>;
  };
  incident_incidents: {
    id: string; seq: number; category: string; title: string; level: string; level_rank: number; status: string; drill: number;
    township: string | null; lon: number | null; lat: number | null; device_ids: string; opened_at: number; updated_at: number;
    acknowledged_at: number | null; closed_at: number | null; assignee: string | null; system_key: string | null; tier: Generated<number>;
    last_activity: number; last_escalated_at: number | null; close_reason: string | null; row_version: Generated<number>;
    event_id: string | null; lower_to: string | null; linked_from: string | null; muted_until: number | null; below_since: number | null; below_max: string | null;
  };
  incident_timeline: {
    id: Generated<number>; incident_id: string; ts: number; type: string; user: string | null; note: string | null; level: string | null;
    alarm_id: string | null; device_id: string | null; detail: string | null;
  };
  alert_device_state: { dkey: string; data: string; series: Buffer | null };
  alert_presence: { device_id: string; last_seen: number | null; online: number | null; offline_since: number | null };
  alert_silences: { id: string; data: string; ends_at: number; removed: Generated<number> };
  alert_shelves: { id: string; device_id: string; data: string; ends_at: number; removed: Generated<number> };
  alert_rules: { id: string; data: string | null; updated_at: number; updated_by: string; deleted: Generated<number> };
  alert_rule_history: { id: Generated<number>; rule_id: string; action: string; data: string | null; ts: number; user: string };
  incident_events: {
    id: string; status: string; drill: number; family: string; level_rank: number; opened_at: number; closed_at: number | null;
    last_activity: number; data: string; members: string;
  };
  incident_event_timeline: { id: Generated<number>; event_id: string; data: string };
  ingest_dead_letters: { id: Generated<number>; ts: number; device: string | null; topic: string; code: string; reason: string; payload: string; size: number };
  ingest_events: { device: string; ts: number; type: string; body: string };
  /** the notifier's state (db/repos/org.ts, db/repos/notify.ts) */
  org_rows: { kind: string; id: string; data: string };
  notify_deliveries: {
    id: Generated<number>; ts: number; incident_id: string; channel_id: string; channel_kind: string; person_id: string | null; recipient: string;
    address: string; dkey: string; attempt: number; status: string; code: string | null; answer: string | null; provider_id: string | null;
    final: number; drill: number; reminder: number;
  };
  notify_escalations: { incident_id: string; data: string; due_at: number | null; done: Generated<number>; updated_at: number };
  notify_outbox: { channel_id: string; dkey: string; data: string; attempt: number; not_before: number };
  notify_used_links: { nonce: string; expires_at: number };
  prepare_resources: {
    id: string; kind: string; name: string; lon: number; lat: number; township: string | null; unit: string | null; status: string;
    incident_id: string | null; dispatched_at: number | null; data: string; updated_at: number;
  };
  prepare_plans: { id: string; category: string; name: string; data: string; updated_at: number };
  prepare_vulnerable_sites: { id: string; kind: string; name: string; lon: number; lat: number; township: string | null; data: string; updated_at: number };
  /** `active_key` = plan id + incident id while active (NULL once closed): one active activation per plan and incident */
  prepare_activations: {
    id: string; plan_id: string; incident_id: string; status: string; active_key: string | null; activated_at: number; data: string; row_version: Generated<number>;
  };
  supervise_targets: {
    id: string; register: string; kind: string; category: string; name: string; lon: number; lat: number; township: string | null; grade: string;
    next_due_at: number | null; data: string; updated_at: number;
  };
  supervise_rectifications: { id: string; target_id: string; township: string | null; stage: string; deadline: number; opened_at: number; data: string; row_version: Generated<number> };
  /** `open_key` = target id while the task is open (NULL once done): one open task per target */
  supervise_inspections: { id: string; target_id: string; township: string | null; status: string; open_key: string | null; due_at: number; done_at: number | null; data: string };
  release_drafts: {
    id: string; state: string; msg_type: string; updates: string | null; source_kind: string; source_id: string | null; drill: number;
    townships: string; content: string; created_by: string; created_at: number; updated_at: number; submitted_by: string | null;
    submitted_at: number | null; signed_by: string | null; signed_at: number | null; review_note: string | null; published_as: string | null;
    row_version: Generated<number>;
  };
  /** insert-only (the database refuses UPDATE and DELETE: migration 0030) */
  release_published: {
    identifier: string; draft_id: string; sender: string; sent: number; status: string; msg_type: string; refs: string; source_kind: string;
    source_id: string | null; drill: number; townships: string; content: string; signed_by: string; published_by: string; cap_xml: string; gb_xml: string;
  };
  release_reports: {
    id: string; incident_id: string; kind: string; seq: number; township: string | null; drill: number; level: string; triggered_at: number;
    due_at: number; state: string; version: number; content: string; updated_by: string | null; updated_at: number; submitted_by: string | null;
    submitted_at: number | null; row_version: Generated<number>;
  };
  release_report_versions: { report_id: string; version: number; content: string; saved_by: string; saved_at: number; submitted: number };
  review_drill_runs: { id: string; scenario: string; steps: string; started_at: number; started_by: string; ended_at: number | null };
  /** rows taken FOR UPDATE (PostgreSQL) / written first (SQLite) to serialise racing writers: db/locks.ts */
  lookout_locks: { name: string; n: number };
}

export type TableName = keyof LookoutSchema;

/** every table `lookout db copy` moves, parents before children; with the column(s) that order its rows uniquely */
export const COPY_TABLES: readonly { table: TableName; orderBy: string; identity?: string }[] = [
  { table: 'server_users', orderBy: 'username' },
  { table: 'server_sessions', orderBy: 'token_hash' },
  { table: 'server_login_failures', orderBy: 'username' },
  { table: 'server_totp', orderBy: 'username' },
  { table: 'server_audit', orderBy: 'seq' },
  { table: 'broker_devices', orderBy: 'id' },
  { table: 'alert_meta', orderBy: 'k' },
  { table: 'incident_incidents', orderBy: 'id' },
  { table: 'incident_timeline', orderBy: 'id', identity: 'id' },
  { table: 'alert_alarms', orderBy: 'id' },
  { table: 'alert_device_state', orderBy: 'dkey' },
  { table: 'alert_presence', orderBy: 'device_id' },
  { table: 'alert_silences', orderBy: 'id' },
  { table: 'alert_shelves', orderBy: 'id' },
  { table: 'alert_rules', orderBy: 'id' },
  { table: 'alert_rule_history', orderBy: 'id', identity: 'id' },
  { table: 'incident_events', orderBy: 'id' },
  { table: 'incident_event_timeline', orderBy: 'id', identity: 'id' },
  { table: 'ingest_dead_letters', orderBy: 'id', identity: 'id' },
  { table: 'ingest_events', orderBy: 'device, ts, type' },
  { table: 'org_rows', orderBy: 'kind, id' },
  { table: 'notify_deliveries', orderBy: 'id', identity: 'id' },
  { table: 'notify_escalations', orderBy: 'incident_id' },
  { table: 'notify_outbox', orderBy: 'channel_id, dkey' },
  { table: 'notify_used_links', orderBy: 'nonce' },
  { table: 'prepare_resources', orderBy: 'id' },
  { table: 'prepare_plans', orderBy: 'id' },
  { table: 'prepare_activations', orderBy: 'id' },
  { table: 'prepare_vulnerable_sites', orderBy: 'id' },
  { table: 'supervise_targets', orderBy: 'id' },
  { table: 'supervise_rectifications', orderBy: 'id' },
  { table: 'supervise_inspections', orderBy: 'id' },
  { table: 'release_drafts', orderBy: 'id' },
  { table: 'release_published', orderBy: 'identifier' },
  { table: 'release_reports', orderBy: 'id' },
  { table: 'release_report_versions', orderBy: 'report_id, version' },
  { table: 'review_drill_runs', orderBy: 'id' },
];
