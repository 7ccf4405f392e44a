// Published warning messages through the notification channels (docs/notify.md, Release policies). A policy
// made of `release` steps is matched against the message (level, category, townships, drill) like a chain
// against an incident, and each step tells the on-duty people of the message's townships at its tier, once:
// there is nothing to acknowledge, so no wait, reminder or link follows. An Update reads 【更正】, a Cancel
// 【解除】; a drill goes through the notifier's deliver(), which reaches drill channels only and marks 【演练】.
import type { Clock } from '../schemas/index.js';
import { dutyLabel, type Delivery, type DutyQuery } from './escalation.js';
import { isImportant, matchPolicy, type CompiledPolicy } from './policy.js';
import type { EscalationIncident, Message, Recipient, ReleaseNotice } from './types.js';

/** the word a follow-up message leads with: 更正 (an Update), 解除 (a Cancel) */
export const RELEASE_WORDING: Record<ReleaseNotice['msgType'], string> = { Alert: '', Update: '【更正】', Cancel: '【解除】' };

export interface ReleaseNoticeDeps {
  clock: Clock;
  policies: () => readonly CompiledPolicy[];
  onDuty: (q: DutyQuery) => Recipient[];
  deliver: (d: Delivery) => string;
}

export interface ReleaseOutcome {
  /** the release policy used, null when none matched (nothing sent) */
  policy: string | null;
  /** one line per step: who, through which channels */
  steps: string[];
}

/** the message every channel renders (notify/render.ts adds 【演练】 and the level) */
export function releaseMessage(n: ReleaseNotice): Message {
  const lead = RELEASE_WORDING[n.msgType];
  const body = n.msgType === 'Cancel' ? [`此前发布的预警现予解除 · the earlier warning is cancelled`, n.description, n.instruction] : [n.description, n.instruction];
  return { incidentId: n.identifier, level: n.level, category: n.category, title: `${lead}${n.headline}`, body: body.filter((l) => l.trim()).join('\n'), drill: n.drill, reminder: 1 };
}

export function createReleaseNotices(deps: ReleaseNoticeDeps) {
  return {
    publish(n: ReleaseNotice): ReleaseOutcome {
      const policy = matchPolicy(deps.policies(), { level: n.level, category: n.category, township: null, townships: n.townships, drill: n.drill }, 'release');
      if (!policy) return { policy: null, steps: [] };
      const incident: EscalationIncident = { id: n.identifier, level: n.level, category: n.category, township: n.townships[0] ?? null, title: n.headline, drill: n.drill, openedAt: n.sent };
      const message = releaseMessage(n);
      const now = deps.clock.now();
      // a person named by several steps (or on duty for several of the townships) is told once
      const told = new Set<string>();
      const steps: string[] = [];
      for (const step of policy.steps) {
        if (step.kind !== 'release') continue;
        const recipients: Recipient[] = [];
        for (const township of n.townships.length ? n.townships : [null]) {
          for (const r of deps.onDuty({ tier: step.target.tier, role: step.target.role, township, category: n.category, at: now })) {
            if (told.has(r.personId)) continue;
            told.add(r.personId);
            recipients.push(r);
          }
        }
        const who = dutyLabel(step.target);
        if (!recipients.length) {
          steps.push(`${who} 无人在班或已通知，跳过 · nobody new on duty`);
          continue;
        }
        const via = deps.deliver({ incident, kind: 'notify', important: isImportant(policy, n.level), channels: step.channels, recipients, message, ack: false });
        steps.push(`${who}：${recipients.map((r) => r.name).join('、')} · ${via}`);
      }
      return { policy: policy.id, steps };
    },
  };
}
