// The escalation runner: pure logic over an injected clock. An unacknowledged incident walks its policy's
// chain — notify the on-duty people of a tier, wait, notify the next, call, repeat — and every notice has
// its own text (the reminder number and how long it has gone unacknowledged), because 浙政钉 delivers an
// identical text to one person once a day. Acknowledgement (or resolve / close) stops the chain at once.
//
//   start(incident) ─▶ match policy ─▶ step: notify|call ─▶ deliver(recipients, message) ─▶ next step
//                                       step: wait N ────▶ timer on the clock ──────────────▶ next step
//                                       step: repeat ────▶ back to step 0 (≤ times)
//   stop(incident) ─▶ timer cleared, nothing more is sent
//   handOff(incident, tier) ─▶ 上报 / 下派: the running chain ends, that tier's own chain starts
//
// Where a chain stands is saved at every wait and at its end (`save`, notify/state.ts), and `resume` picks
// it up after a restart at the step that was due, so no step is forgotten and none is sent twice. A chain
// that ended is remembered: an update of the same incident does not page everyone again.
import { LEVEL_INFO, type Clock, type DutyRole, type DutyTier, type IncidentCategory, type TimerHandle } from '../schemas/index.js';
import { isImportant, matchPolicy, type CompiledPolicy } from './policy.js';
import type { SavedRun } from './state.js';
import type { EscalationIncident, Message, Recipient } from './types.js';

export type { EscalationIncident } from './types.js';

export interface DutyQuery {
  tier: DutyTier;
  role: DutyRole;
  township: string | null;
  category: IncidentCategory;
  at: number;
}

export interface Delivery {
  incident: EscalationIncident;
  kind: 'notify' | 'call';
  important: boolean;
  /** explicit channel ids of the step, or null for the class's channels */
  channels: string[] | null;
  recipients: Recipient[];
  message: Message;
  /** false: the notice carries no acknowledgement link (a published warning message has nothing to acknowledge) */
  ack?: boolean;
}

export interface EscalationDeps {
  clock: Clock;
  policies: () => readonly CompiledPolicy[];
  /** the people on duty for this tier and role now (org/duty) */
  onDuty: (q: DutyQuery) => Recipient[];
  /** hand a notice to the channels; returns a short account for the timeline ("webhook, email") */
  deliver: (d: Delivery) => string;
  timeline: (incidentId: string, text: string) => void;
  /** where the chain stands (at each wait and at its end); default nowhere */
  save?: (run: SavedRun) => void;
}

export interface Escalation {
  /** start the chain of a new unacknowledged incident; false when no policy matches or it already runs */
  start(incident: EscalationIncident): boolean;
  /** stop it (acknowledged, resolved, closed) */
  stop(incidentId: string, reason: string): void;
  /** 上报 / 下派: end the running chain and start the chain of that tier (its on-duty people, then its leader) */
  handOff(incident: EscalationIncident, tier: DutyTier, reason: string): void;
  /** pick up the chains saved before a restart; a chain whose incident is no longer open ends */
  resume(saved: readonly SavedRun[], isOpen: (incidentId: string) => boolean): number;
  running(): string[];
  close(): void;
}

const TIER_ZH: Record<DutyTier, string> = { village: '村', township: '乡镇', district: '区', city: '市' };
const ROLE_ZH: Record<DutyRole, string> = { officer: '值班员', leader: '值班领导', all: '值班员和值班领导' };
/** "乡镇值班员": who a step tells, for the timeline */
export const dutyLabel = (t: { tier: DutyTier; role: DutyRole }) => `${TIER_ZH[t.tier]}${ROLE_ZH[t.role]}`;

interface Run {
  incident: EscalationIncident;
  policy: CompiledPolicy;
  pc: number;
  loops: number;
  reminder: number;
  timer: TimerHandle | null;
  dueAt: number | null;
}

/** the minutes a handed-off tier has before its leader is told, and before the reminder */
export const HANDOFF_WAITS_MS = { leader: 5 * 60_000, repeat: 10 * 60_000 };

/** the chain a tier gets when an incident is handed up (上报) or assigned down (下派) to it */
export function handOffPolicy(tier: DutyTier): CompiledPolicy {
  const id = `handoff-${tier}`;
  const title = `${TIER_ZH[tier]}级接报：值班员 → ${HANDOFF_WAITS_MS.leader / 60_000} 分钟 → 值班领导`;
  return {
    id,
    title,
    important: null,
    trigger: 'incident',
    policy: { id, title, match: {}, steps: [] },
    steps: [
      { kind: 'notify', target: { tier, role: 'officer' }, channels: null },
      { kind: 'wait', ms: HANDOFF_WAITS_MS.leader },
      { kind: 'notify', target: { tier, role: 'all' }, channels: null },
      { kind: 'wait', ms: HANDOFF_WAITS_MS.repeat },
      { kind: 'repeat', times: 2 },
    ],
  };
}
const HANDOFF_TIERS: readonly DutyTier[] = ['village', 'township', 'district', 'city'];

/** the text of the n-th notice: each differs from the last */
export function noticeBody(inc: EscalationIncident, reminder: number, now: number): string {
  const hhmm = new Date(now + 8 * 3600_000).toISOString().slice(11, 16);
  const mins = Math.max(0, Math.round((now - inc.openedAt) / 60_000));
  const lvl = LEVEL_INFO[inc.level].zh;
  return reminder === 1
    ? `${lvl}：${inc.title}（${hhmm} 发生），请立即处置，并点击链接确认收到。`
    : `第${reminder}次提醒：${lvl} ${inc.title} 已 ${mins} 分钟无人确认（${hhmm}），请立即处置并确认。`;
}

export function createEscalation(deps: EscalationDeps): Escalation {
  const runs = new Map<string, Run>();
  /** incidents whose chain ended (done, acknowledged, handed on): not started again by an update */
  const ended = new Set<string>();
  /** the last reminder number of an incident's ended chain: a handed-on chain counts on, so every notice
   *  has its own text and delivery key (浙政钉 drops a repeated bizMsgId or text) */
  const lastReminder = new Map<string, number>();
  const { clock } = deps;
  const save = (run: Run, done: boolean) => deps.save?.({ incident: run.incident, policyId: run.policy.id, pc: run.pc, loops: run.loops, reminder: run.reminder, dueAt: done ? null : run.dueAt, done });
  const policyById = (id: string) => deps.policies().find((p) => p.id === id) ?? HANDOFF_TIERS.map(handOffPolicy).find((p) => p.id === id) ?? null;

  function wait(run: Run, at: number) {
    run.dueAt = at;
    run.timer = clock.setTimeout(() => {
      run.timer = null;
      run.dueAt = null;
      advance(run);
    }, Math.max(0, at - clock.now()));
  }

  function end(run: Run) {
    if (run.timer) clock.clearTimeout(run.timer);
    runs.delete(run.incident.id);
    ended.add(run.incident.id);
    lastReminder.set(run.incident.id, run.reminder);
    save(run, true);
  }

  function begin(incident: EscalationIncident, policy: CompiledPolicy) {
    const run: Run = { incident, policy, pc: 0, loops: 0, reminder: lastReminder.get(incident.id) ?? 0, timer: null, dueAt: null };
    runs.set(incident.id, run);
    ended.delete(incident.id);
    deps.timeline(incident.id, `通知链 ${policy.id} 开始 · escalation chain started (${policy.title})`);
    advance(run);
  }

  function advance(run: Run) {
    // steps run in order until a wait (bounded: a repeat needs a wait before it, policy.ts)
    for (;;) {
      if (runs.get(run.incident.id) !== run) return;
      const step = run.policy.steps[run.pc];
      if (!step) {
        deps.timeline(run.incident.id, `通知链 ${run.policy.id} 已走完，仍无人确认 · escalation chain done, still unacknowledged`);
        end(run);
        return;
      }
      run.pc++;
      if (step.kind === 'wait') {
        wait(run, clock.now() + step.ms);
        save(run, false);
        return;
      }
      if (step.kind === 'repeat') {
        if (run.loops < step.times) {
          run.loops++;
          run.pc = 0;
        }
        continue;
      }
      // release steps belong to release policies (notify/release-notices.ts), which never run as a chain
      if (step.kind === 'release') continue;
      const now = clock.now();
      const inc = run.incident;
      const who = dutyLabel(step.target);
      const recipients = deps.onDuty({ tier: step.target.tier, role: step.target.role, township: inc.township, category: inc.category, at: now });
      if (!recipients.length) {
        deps.timeline(inc.id, `第${run.pc}步：${who} 无人在班，跳过 · nobody on duty (${step.target.tier} ${step.target.role})`);
        continue;
      }
      const reminder = ++run.reminder;
      const message: Message = { incidentId: inc.id, level: inc.level, category: inc.category, title: inc.title, body: noticeBody(inc, reminder, now), drill: inc.drill, reminder };
      const via = deps.deliver({ incident: inc, kind: step.kind, important: isImportant(run.policy, inc.level), channels: step.channels, recipients, message });
      deps.timeline(inc.id, `第${run.pc}步 ${step.kind === 'call' ? '电话' : '通知'} ${who}：${recipients.map((r) => r.name).join('、')} · ${via}${reminder > 1 ? ` · 第${reminder}次提醒` : ''}`);
    }
  }

  return {
    start(incident) {
      if (runs.has(incident.id) || ended.has(incident.id)) return false;
      const policy = matchPolicy(deps.policies(), incident);
      if (!policy) return false;
      begin(incident, policy);
      return true;
    },
    stop(incidentId, reason) {
      const run = runs.get(incidentId);
      if (!run) return;
      end(run);
      // stopped by a person (acknowledged, resolved): should the incident open again, its chain may start again
      ended.delete(incidentId);
      deps.timeline(incidentId, `通知链停止：${reason} · escalation stopped`);
    },
    handOff(incident, tier, reason) {
      const run = runs.get(incident.id);
      if (run) {
        end(run);
        deps.timeline(incident.id, `通知链 ${run.policy.id} 停止：${reason} · escalation handed on`);
      }
      begin(incident, handOffPolicy(tier));
    },
    resume(saved, isOpen) {
      let n = 0;
      for (const r of saved) {
        if (runs.has(r.incident.id)) continue;
        const policy = r.done ? null : policyById(r.policyId);
        const open = isOpen(r.incident.id);
        lastReminder.set(r.incident.id, r.reminder);
        if (r.done || !policy || !open) {
          if (open) ended.add(r.incident.id);
          if (!r.done) {
            deps.timeline(r.incident.id, policy ? '通知链未恢复：事件已不再待确认 · escalation not resumed: no longer open' : `通知链未恢复：策略 ${r.policyId} 已不存在 · escalation not resumed: policy gone`);
            deps.save?.({ ...r, dueAt: null, done: true });
          }
          continue;
        }
        const run: Run = { incident: r.incident, policy, pc: r.pc, loops: r.loops, reminder: r.reminder, timer: null, dueAt: null };
        runs.set(r.incident.id, run);
        deps.timeline(r.incident.id, `通知链 ${policy.id} 重启后继续（第${r.pc + 1}步）· escalation resumed after a restart`);
        if (r.dueAt === null) advance(run);
        else wait(run, r.dueAt);
        n++;
      }
      return n;
    },
    running: () => [...runs.keys()],
    close() {
      for (const r of runs.values()) if (r.timer) clock.clearTimeout(r.timer);
      runs.clear();
    },
  };
}
