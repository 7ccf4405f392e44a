// Public door of the release stage (信息发布 · 信息报送, docs/release.md): warning messages drafted from an
// incident or event, signed off and published as CAP 1.2 + GB/T 35965.1-style XML with Update/Cancel lineage,
// and the Atom feed of published messages. State lives in the db/ stage (ReleaseRepository). Nothing
// listens before start(); the REST routes are a fastify plugin the composition root registers.
import type { FastifyInstance } from 'fastify';
import type { HazardEvent, Incident, PublishedMessage } from '../schemas/index.js';
import type { DeliveryRow } from './deliveries.js';
import { createMessages, type Messages } from './messages.js';
import type { ReleaseRepository, ReportRepository } from './repositories.js';
import { releaseRoutes, type AuditFn, type RouteGuards } from './release-routes.js';
import { reportRoutes } from './report-routes.js';
import { createReports, type Reports } from './reports.js';

export const RELEASE_DEFAULTS = {
  /** CAP 1.2 §3.2.1 senderName and the GB/T 35965.1 sender: the issuing office */
  senderName: '黄岩区应急管理局',
  /** GB/T 2260 code of 黄岩区 (the identifier's first six digits, the district-wide geocode) */
  adminCode: '331003',
  /** 3-digit issuing organisation code in the identifier */
  orgCode: '000',
  districtName: '黄岩区',
  /** a draft's expiry when the drafter gives none: 24 h after drafting */
  defaultExpiryMs: 24 * 3_600_000,
  /** reports up the chain: the written 初报 within 1 h of confirmation, a 续报 within 1 h of a level change, the 终报 within 24 h of close */
  reportTimes: { initialDueMs: 3_600_000, followUpDueMs: 3_600_000, finalDueMs: 24 * 3_600_000 },
};

export interface ReleaseDeps {
  repo: ReleaseRepository;
  reportRepo: ReportRepository;
  /** a report that could not be opened from an incident change */
  onError: (err: unknown, incidentId: string) => void;
  clock: { now(): number };
  incident: (id: string) => Incident | undefined;
  event: (id: string) => HazardEvent | undefined;
  audit: AuditFn;
  guards: RouteGuards;
  /** a message was published: the notifier sends it through its release policy (docs/notify.md) */
  onPublished?: (m: PublishedMessage) => void;
  /** the notifier's delivery records of a published message (by identifier); none without a notifier */
  deliveries?: (identifier: string) => Promise<DeliveryRow[]>;
}

export interface ReleaseConfig {
  /** CAP 1.2 §3.2.1 sender id, e.g. lookout@yjj.huangyan.gov.cn */
  sender: string;
  townships: readonly { code: string; name: string }[];
  senderName?: string;
  adminCode?: string;
  orgCode?: string;
  defaultExpiryMs?: number;
  reportTimes?: Partial<typeof RELEASE_DEFAULTS.reportTimes>;
}

export interface Release {
  messages: Messages;
  reports: Reports;
  /** an incident opened or changed: the reports up the chain it now owes are opened */
  incidentChanged(i: Incident): void;
  /** REST /api/releases… and /api/reports… */
  routes(): (app: FastifyInstance) => Promise<void>;
  /** waits for the incident changes told so far to be handled */
  close(): Promise<void>;
}

export function createRelease(deps: ReleaseDeps, config: ReleaseConfig): Release {
  const documents = {
    senderName: config.senderName ?? RELEASE_DEFAULTS.senderName,
    adminCode: config.adminCode ?? RELEASE_DEFAULTS.adminCode,
    townshipNames: Object.fromEntries(config.townships.map((t) => [t.code, t.name])),
    districtName: RELEASE_DEFAULTS.districtName,
  };
  const messages = createMessages(
    { repo: deps.repo, now: () => deps.clock.now(), incident: deps.incident, event: deps.event, ...(deps.onPublished ? { onPublished: deps.onPublished } : {}) },
    { ...documents, sender: config.sender, orgCode: config.orgCode ?? RELEASE_DEFAULTS.orgCode, defaultExpiryMs: config.defaultExpiryMs ?? RELEASE_DEFAULTS.defaultExpiryMs },
  );
  const now = () => deps.clock.now();
  const reports = createReports(
    { repo: deps.reportRepo, now, incident: deps.incident, townshipNames: documents.townshipNames, districtName: documents.districtName, onError: deps.onError },
    { ...RELEASE_DEFAULTS.reportTimes, ...config.reportTimes },
  );
  let closed = false;
  return {
    messages,
    reports,
    incidentChanged: (i) => {
      if (!closed) reports.incidentChanged(i);
    },
    routes: () => async (app) => {
      await app.register(releaseRoutes({ messages, guards: deps.guards, audit: deps.audit, now, documents, deliveries: deps.deliveries ?? (async () => []) }));
      await app.register(reportRoutes({ reports, guards: deps.guards, audit: deps.audit, now }));
    },
    async close() {
      closed = true;
      await reports.settled();
    },
  };
}

export type { ReleaseRepository, ReportRepository, PublishPlan } from './repositories.js';
export type { DeliveryRow } from './deliveries.js';
export { capDocument, gbDocument, publishedFeed, releaseIdentifier, identifierPrefix, IDENTIFIER_PATTERN } from './documents.js';
export { RELEASE_URLS } from './release-routes.js';
