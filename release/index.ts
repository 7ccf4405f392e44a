// Public door of the release stage (信息发布 · 信息报送, docs/release.md): warning messages drafted from an
// incident or event, signed off and published as CAP 1.2 + GB/T 35965.1-style XML with Update/Cancel lineage,
// and the Atom feed of published messages. State lives in the db/ stage (ReleaseRepository). Nothing
// listens before start(); the REST routes are a fastify plugin the composition root registers.
import type { FastifyInstance } from 'fastify';
import type { HazardEvent, Incident } from '../schemas/index.js';
import { createMessages, type Messages } from './messages.js';
import type { ReleaseRepository } from './repositories.js';
import { releaseRoutes, type AuditFn, type RouteGuards } from './release-routes.js';

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
};

export interface ReleaseDeps {
  repo: ReleaseRepository;
  clock: { now(): number };
  incident: (id: string) => Incident | undefined;
  event: (id: string) => HazardEvent | undefined;
  audit: AuditFn;
  guards: RouteGuards;
}

export interface ReleaseConfig {
  /** CAP 1.2 §3.2.1 sender id, e.g. lookout@yjj.huangyan.gov.cn */
  sender: string;
  townships: readonly { code: string; name: string }[];
  senderName?: string;
  adminCode?: string;
  orgCode?: string;
  defaultExpiryMs?: number;
}

export interface Release {
  messages: Messages;
  routes(): (app: FastifyInstance) => Promise<void>;
  close(): void;
}

export function createRelease(deps: ReleaseDeps, config: ReleaseConfig): Release {
  const documents = {
    senderName: config.senderName ?? RELEASE_DEFAULTS.senderName,
    adminCode: config.adminCode ?? RELEASE_DEFAULTS.adminCode,
    townshipNames: Object.fromEntries(config.townships.map((t) => [t.code, t.name])),
    districtName: RELEASE_DEFAULTS.districtName,
  };
  const messages = createMessages(
    { repo: deps.repo, now: () => deps.clock.now(), incident: deps.incident, event: deps.event },
    { ...documents, sender: config.sender, orgCode: config.orgCode ?? RELEASE_DEFAULTS.orgCode, defaultExpiryMs: config.defaultExpiryMs ?? RELEASE_DEFAULTS.defaultExpiryMs },
  );
  return {
    messages,
    routes: () => releaseRoutes({ messages, guards: deps.guards, audit: deps.audit, now: () => deps.clock.now(), documents }),
    close() {},
  };
}

export type { ReleaseRepository, PublishPlan } from './repositories.js';
export { capDocument, gbDocument, publishedFeed, releaseIdentifier, identifierPrefix, IDENTIFIER_PATTERN } from './documents.js';
export { RELEASE_URLS } from './release-routes.js';
