// The escalation runner: pure logic over an injected clock. An unacknowledged incident walks its policy's
// chain — notify the on-duty people of a tier, wait, notify the next, call, repeat — and every notice has
// its own text (the reminder number and how long it has gone unacknowledged), because 浙政钉 delivers an
// identical text to one person once a day. Acknowledgement (or resolve / close) stops the chain at once.
//
//   start(incident) ─▶ match policy ─▶ step: notify|call ─▶ deliver(recipients, message) ─▶ next step
//                                       step: wait N ────▶ timer on the clock ──────────────▶ next step
//                                       step: repeat ────▶ back to step 0 (≤ times)
//   stop(incident) ─▶ timer cleared, nothing more is sent
import { LEVEL_INFO, type Clock, type DutyRole, type DutyTier, type IncidentCategory, type Level, type TimerHandle } from '../schemas/index.js';
import { isImportant, matchPolicy, type CompiledPolicy } from './policy.js';
import type { Message, Recipient } from './types.js';

export interface EscalationIncident {
  id: string;
  level: Level;
  category: IncidentCategory;
  township: string | null;
  /** e.g. "院桥镇 燃气泄漏" */
  title: string;
  drill: boolean;
  openedAt: number;
}

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
}

export interface EscalationDeps {
  clock: Clock;
  policies: () => readonly CompiledPolicy[];
  /** the people on duty for this tier and role now (org/duty) */
  onDuty: (q: DutyQuery) => Recipient[];
  /** hand a notice to the channels; returns a short account for the timeline ("webhook, email") */
  deliver: (d: Delivery) => string;
  timeline: (incidentId: string, text: string) => void;
}

export interface Escalation {
  /** start the chain of a new unacknowledged incident; false when no policy matches or it already runs */
  start(incident: EscalationIncident): boolean;
  /** stop it (acknowledged, resolved, closed) */
  stop(incidentId: string, reason: string): void;
  running(): string[];
  close(): void;
}

const TIER_ZH: Record<DutyTier, string> = { village: '村', township: '乡镇', district: '区', city: '市' };
const ROLE_ZH: Record<DutyRole, string> = { officer: '值班员', leader: '值班领导', all: '值班员和值班领导' };

interface Run {
  incident: EscalationIncident;
  policy: CompiledPolicy;
  pc: number;
  loops: number;
  reminder: number;
  timer: TimerHandle | null;
}

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
  const { clock } = deps;

  function advance(run: Run) {
    // steps run in order until a wait (bounded: a repeat needs a wait before it, policy.ts)
    for (;;) {
      if (runs.get(run.incident.id) !== run) return;
      const step = run.policy.steps[run.pc];
      if (!step) {
        deps.timeline(run.incident.id, `通知链 ${run.policy.id} 已走完，仍无人确认 · escalation chain done, still unacknowledged`);
        runs.delete(run.incident.id);
        return;
      }
      run.pc++;
      if (step.kind === 'wait') {
        run.timer = clock.setTimeout(() => {
          run.timer = null;
          advance(run);
        }, step.ms);
        return;
      }
      if (step.kind === 'repeat') {
        if (run.loops < step.times) {
          run.loops++;
          run.pc = 0;
        }
        continue;
      }
      const now = clock.now();
      const inc = run.incident;
      const who = `${TIER_ZH[step.target.tier]}${ROLE_ZH[step.target.role]}`;
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
      if (runs.has(incident.id)) return false;
      const policy = matchPolicy(deps.policies(), incident);
      if (!policy) return false;
      const run: Run = { incident, policy, pc: 0, loops: 0, reminder: 0, timer: null };
      runs.set(incident.id, run);
      deps.timeline(incident.id, `通知链 ${policy.id} 开始 · escalation chain started (${policy.title})`);
      advance(run);
      return true;
    },
    stop(incidentId, reason) {
      const run = runs.get(incidentId);
      if (!run) return;
      if (run.timer) clock.clearTimeout(run.timer);
      runs.delete(incidentId);
      deps.timeline(incidentId, `通知链停止：${reason} · escalation stopped`);
    },
    running: () => [...runs.keys()],
    close() {
      for (const r of runs.values()) if (r.timer) clock.clearTimeout(r.timer);
      runs.clear();
    },
  };
}
