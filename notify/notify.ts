// The notify stage: channels (one adapter per provider, notify/channels/*), an outbox that queues, paces
// and retries their sends, and the delivery log of every attempt. Escalation policies, acknowledgement
// links and drills build on it (notify/escalation.ts, notify/ack-links.ts). docs/notify.md is the guide.
// With a repository (notify/state.ts) the log, the chains, the waiting sends and the used links outlive a
// restart: start() reads them back before anything is sent.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { LookoutError, type Clock, type DutyTier, type Incident, type WriteQueue } from '../schemas/index.js';
import type { ChannelFile } from '../schemas/notify-channels.js';
import { createAckLinks, createMemoryUsedLinks, type AckLinks, type UsedLinkStore } from './ack-links.js';
import { ackRoutes, type AckPageIncident } from './ack-page.js';
import { createChannel } from './channels/index.js';
import { createMemoryDeliveryLog, type DeliveryLog, type DeliveryRecord, type DeliveryStatus } from './delivery-log.js';
import { createEscalation, type Delivery, type DutyQuery, type Escalation } from './escalation.js';
import { createOutbox, OUTBOX_DEFAULTS, type OutboxConfig } from './outbox.js';
import { DEFAULT_POLICIES_FILE, readPolicyFile, type CompiledPolicy } from './policy.js';
import { createReleaseNotices, type ReleaseOutcome } from './release-notices.js';
import type { NotifyRepository } from './state.js';
import type { Addressed, Channel, ChannelClass, Outgoing, Recipient, ReleaseNotice } from './types.js';

export const NOTIFY_DEFAULTS = {
  /** queue, pace and retry of every channel (notify/outbox.ts) */
  outbox: OUTBOX_DEFAULTS,
  /** delivery records the in-memory log keeps when no repository is given */
  memoryLogMax: 10_000,
  /** an acknowledgement link works this long (ms) */
  ackTtlMs: 24 * 3600_000,
  /** the shipped escalation chains */
  policiesFile: DEFAULT_POLICIES_FILE,
};

export interface NotifyDeps {
  clock: Clock;
  logger: Logger;
  /** 32-byte key for `{ "encrypted": … }` secrets */
  secretKey?: Buffer | null;
  /** where delivery records go; default in memory (and `repo`, when given) */
  deliveryLog?: DeliveryLog;
  /** keeps the log, the chains, the waiting sends and the used links across a restart (db/repos/notify.ts),
   *  written behind the sends through the state database's ordered, bounded write queue */
  state?: { repo: NotifyRepository; writes: WriteQueue };
  /** told of every delivery record (the incident timeline) */
  onDelivery?: (rec: DeliveryRecord) => void;
  /** a channel gave up a delivery (the hub opens a system incident) */
  onChannelFailure?: (channelId: string, rec: DeliveryRecord) => void;
  onChannelRecovered?: (channelId: string) => void;
  /** the people on duty for a tier and role now (org/duty); default nobody */
  onDuty?: (q: DutyQuery) => Recipient[];
  /** a line in the incident's timeline */
  timeline?: (incidentId: string, text: string) => void;
  /** acknowledge the incident as this person (the hub's incident book); `already` when someone was first */
  acknowledge?: (incidentId: string, personId: string, note: string | null) => Promise<{ already: boolean }>;
  /** what the acknowledgement page shows of an incident */
  incident?: (incidentId: string) => AckPageIncident | null;
  personName?: (personId: string) => string;
  /** where used acknowledgement links are remembered */
  usedLinks?: UsedLinkStore;
}

export interface NotifyConfig {
  channels?: ChannelFile | null;
  outbox?: Partial<OutboxConfig>;
  /** escalation policies; default the shipped file */
  policies?: CompiledPolicy[];
  /** acknowledgement links: key (≥ 32 bytes) and the hub's public URL; null = messages carry no link */
  ack?: { key: Buffer; publicUrl: string; ttlMs?: number } | null;
}

export interface ChannelInfo {
  id: string;
  kind: Channel['kind'];
  classes: string[];
  pending: number;
}

export interface Notify {
  channels(): ChannelInfo[];
  channel(id: string): Channel | undefined;
  /** queue one send on one channel; false when refused (queue full, logged) */
  send(channelId: string, out: Outgoing): boolean;
  /** the latest records kept in memory */
  deliveries(q?: { incidentId?: string; limit?: number }): DeliveryRecord[];
  /** every record the repository holds (the memory's without one) */
  deliveryHistory(q?: { incidentId?: string; limit?: number }): Promise<DeliveryRecord[]>;
  /** 上报 (up to the district) / 下派 (down to a township): that tier's chain starts */
  handOff(incident: Pick<Incident, 'id' | 'level' | 'category' | 'township' | 'title' | 'drill' | 'openedAt'>, tier: DutyTier, reason: string): void;
  /** reads back what a restart left (chains resume, waiting sends are queued again); before anything is sent */
  start(): Promise<{ chains: number; sends: number }>;
  /** state rows waiting to be written, and the writes refused because the queue was full */
  stateWrites(): { pending: number; refused: number };
  /** tell the notifier an incident changed: an open one starts its chain, any other status stops it */
  incidentChanged(incident: Pick<Incident, 'id' | 'level' | 'category' | 'township' | 'title' | 'drill' | 'status' | 'openedAt'>, by?: string | null): void;
  /** a warning message was published: the first matching release policy sends it (notify/release-notices.ts) */
  releasePublished(notice: ReleaseNotice): ReleaseOutcome;
  /** the chain's own entry points (tests, the hub) */
  readonly escalation: Escalation;
  readonly ackLinks: AckLinks | null;
  /** consume a link and acknowledge as its person */
  acknowledgeByLink(token: string, note: string | null): Promise<{ personName: string; already: boolean; incidentId: string }>;
  /** fastify plugin with GET/POST /ack?t=token */
  ackRoutes(): ReturnType<typeof ackRoutes>;
  /** no send in flight, nothing due now */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export function createNotify(deps: NotifyDeps, config: NotifyConfig = {}): Notify {
  const logger = deps.logger;
  const log = deps.deliveryLog ?? createMemoryDeliveryLog(NOTIFY_DEFAULTS.memoryLogMax);
  const repo = deps.state?.repo ?? null;
  let refused = 0;
  const writes = {
    // a write the full queue refuses is logged and counted; the send it belongs to goes on
    run(what: string, fn: () => Promise<unknown>) {
      if (!deps.state || deps.state.writes.push(`notify:${what}`, fn)) return;
      refused++;
      logger.error({ what }, 'notify state write refused: the state write queue is full');
    },
    // while the database is away the queue retries; nothing waits on it then (the hub drains it at close)
    flush: () => (deps.state && !deps.state.writes.behind ? deps.state.writes.idle() : Promise.resolve()),
  };
  const append = (rec: DeliveryRecord) => {
    log.append(rec);
    if (repo) writes.run('delivery', () => repo.appendDeliveries([rec]));
    deps.onDelivery?.(rec);
  };
  // used links: answered from memory (read back at start), each use written through
  const memUsed = deps.usedLinks ?? createMemoryUsedLinks();
  const usedLinks: UsedLinkStore = repo
    ? {
        isUsed: (n) => memUsed.isUsed(n),
        markUsed(n, exp) {
          if (!memUsed.markUsed(n, exp)) return false;
          writes.run('used-link', () => repo.markUsed(n, exp));
          return true;
        },
        purge(now) {
          memUsed.purge(now);
          writes.run('used-link-purge', () => repo.purgeUsed(now));
        },
      }
    : memUsed;
  const channels = new Map<string, Channel>();
  const queueMax = new Map<string, number | undefined>();
  for (const cfg of config.channels?.channels ?? []) {
    channels.set(cfg.id, createChannel(cfg, { clock: deps.clock, logger: logger.child({ channel: cfg.id }), secretKey: deps.secretKey ?? null }));
    queueMax.set(cfg.id, cfg.queueMax);
  }
  const outbox = createOutbox(
    {
      clock: deps.clock,
      logger,
      record: append,
      onChannelFailure: deps.onChannelFailure,
      onChannelRecovered: deps.onChannelRecovered,
      persist: repo
        ? {
            save: (channelId, send) => void writes.run('outbox-save', () => repo.saveSend({ channelId, ...send })),
            drop: (channelId, key) => void writes.run('outbox-drop', () => repo.deleteSend(channelId, key)),
          }
        : undefined,
    },
    [...channels.values()].map((channel) => ({ channel, queueMax: queueMax.get(channel.id) })),
    { ...NOTIFY_DEFAULTS.outbox, ...config.outbox },
  );
  const policies = config.policies ?? readPolicyFile(NOTIFY_DEFAULTS.policiesFile);
  const links = config.ack ? createAckLinks({ clock: deps.clock, used: usedLinks }, { key: config.ack.key, publicUrl: config.ack.publicUrl, ttlMs: config.ack.ttlMs ?? NOTIFY_DEFAULTS.ackTtlMs }) : null;
  const timeline = deps.timeline ?? (() => {});
  const personName = deps.personName ?? ((id: string) => id);

  function direct(channel: Channel | null, d: Delivery, r: Recipient, status: DeliveryStatus, code: string, answer: string) {
    append({ ts: deps.clock.now(), incidentId: d.incident.id, channelId: channel?.id ?? '-', channelKind: channel?.kind ?? 'webhook', personId: r.personId, recipient: r.name, address: '', key: '-', attempt: 0, status, code, answer, providerId: null, final: true, drill: d.message.drill, reminder: d.message.reminder });
  }

  /** the channels of a notice: drills only ever reach channels marked `drill` */
  function deliver(d: Delivery): string {
    const cls: ChannelClass = d.incident.drill ? 'drill' : d.kind === 'call' ? 'call' : d.important ? 'important' : 'routine';
    let chosen = d.channels ? d.channels.map((id) => channels.get(id)).filter((c): c is Channel => !!c) : [...channels.values()].filter((c) => c.classes.has(cls));
    if (d.incident.drill) chosen = chosen.filter((c) => c.classes.has('drill'));
    if (!chosen.length) {
      for (const r of d.recipients) direct(null, d, r, d.incident.drill ? 'skipped-drill' : 'failed', d.incident.drill ? 'drill' : 'no-channel', d.incident.drill ? 'a drill reaches only channels marked drill; none is' : `no channel of class ${cls}`);
      return d.incident.drill ? '演练：无演练通道，未发送 · drill: no drill channel, nothing sent' : `无 ${cls} 通道 · no ${cls} channel`;
    }
    const ack = new Map(d.recipients.map((r) => [r.personId, links && d.ack !== false ? links.url(d.incident.id, r.personId) : null]));
    const used: string[] = [];
    for (const ch of chosen) {
      const to: Addressed[] = [];
      for (const r of d.recipients) {
        const address = ch.address(r);
        if (address) to.push({ recipient: r, address, ackUrl: ack.get(r.personId) ?? null });
        else direct(ch, d, r, 'no-address', 'no-address', `${r.name} has no address for ${ch.kind}`);
      }
      if (!to.length) continue;
      const key = (who: string) => `lk${createHash('sha256').update(`${d.incident.id}|${d.message.reminder}|${ch.id}|${who}`).digest('hex').slice(0, 30)}`;
      if (ch.fanout === 'group') outbox.enqueue(ch.id, { key: key('group'), message: d.message, to });
      else for (const a of to) outbox.enqueue(ch.id, { key: key(a.recipient.personId), message: d.message, to: [a] });
      used.push(ch.id);
    }
    return used.length ? used.join(', ') : '无人有此通道的地址 · nobody has an address on these channels';
  }

  const escalation = createEscalation({
    clock: deps.clock,
    policies: () => policies,
    onDuty: deps.onDuty ?? (() => []),
    deliver,
    timeline,
    save: repo ? (run) => void writes.run('escalation', () => repo.saveRun(run, deps.clock.now())) : undefined,
  });
  const releaseNotices = createReleaseNotices({ clock: deps.clock, policies: () => policies, onDuty: deps.onDuty ?? (() => []), deliver });
  let started = false;

  async function acknowledgeByLink(token: string, note: string | null) {
    if (!links) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
    const c = links.consume(token);
    const name = personName(c.personId);
    const r = deps.acknowledge ? await deps.acknowledge(c.incidentId, c.personId, note) : { already: false };
    escalation.stop(c.incidentId, `${name} 通过消息链接确认 · acknowledged from the link${note ? `：${note}` : ''}`);
    return { personName: name, already: r.already, incidentId: c.incidentId };
  }

  let closing: Promise<void> | null = null;
  return {
    escalation,
    ackLinks: links,
    acknowledgeByLink,
    incidentChanged(inc, by) {
      if (inc.status === 'open') escalation.start({ id: inc.id, level: inc.level, category: inc.category, township: inc.township, title: inc.title, drill: inc.drill, openedAt: inc.openedAt });
      else escalation.stop(inc.id, `${inc.status}${by ? ` by ${by}` : ''}`);
    },
    releasePublished: (n) => releaseNotices.publish(n),
    ackRoutes: () =>
      ackRoutes({
        verify: (t) => {
          if (!links) throw new LookoutError('LOOKOUT_ERR_ACK_LINK_INVALID');
          return links.verify(t);
        },
        acknowledge: acknowledgeByLink,
        incident: (id) => deps.incident?.(id) ?? null,
        personName,
      }),
    channels: () => [...channels.values()].map((c) => ({ id: c.id, kind: c.kind, classes: [...c.classes], pending: outbox.pending(c.id) })),
    channel: (id) => channels.get(id),
    send: (channelId, out) => outbox.enqueue(channelId, out),
    deliveries: (q) => log.list(q),
    async deliveryHistory(q) {
      if (!repo) return log.list(q);
      await writes.flush();
      return repo.deliveries(q);
    },
    handOff(inc, tier, reason) {
      escalation.handOff({ id: inc.id, level: inc.level, category: inc.category, township: inc.township, title: inc.title, drill: inc.drill, openedAt: inc.openedAt }, tier, reason);
    },
    async start() {
      if (started || !repo) return { chains: 0, sends: 0 };
      started = true;
      const now = deps.clock.now();
      for (const u of await repo.usedLinks(now)) memUsed.markUsed(u.nonce, u.expiresAt);
      for (const rec of await repo.deliveries({ limit: NOTIFY_DEFAULTS.memoryLogMax })) log.append(rec);
      // a send the channel accepted before the restart (its row not yet dropped) is not sent again
      const saved = await repo.loadSends();
      const sent = await repo.sentKeys(saved.map((s) => s.out.key));
      for (const s of saved.filter((x) => sent.has(x.out.key))) writes.run('outbox-drop', () => repo.deleteSend(s.channelId, s.out.key));
      const sends = outbox.restore(saved.filter((s) => !sent.has(s.out.key)));
      const chains = escalation.resume(await repo.loadRuns(), (id) => deps.incident?.(id)?.status === 'open');
      if (chains || sends) logger.info({ chains, sends }, 'notifications resumed after a restart');
      return { chains, sends };
    },
    stateWrites: () => ({ pending: deps.state?.writes.depth ?? 0, refused }),
    async settled() {
      await outbox.settled();
      await writes.flush();
    },
    close() {
      closing ??= (async () => {
        escalation.close();
        await outbox.close();
        for (const c of channels.values()) await c.close();
      })();
      return closing;
    },
  };
}
