// Attention without fatigue (docs/architecture.md): red/orange repeat a tone until acknowledged, yellow chimes
// once, blue is silent. Browsers allow audio only after a gesture, so "开始值班" unlocks it (and asks
// for Notification permission). Drill incidents sound too (the drill is for the operators) but never
// raise OS notifications, which could be mistaken for real ones. A muted incident (消音, or its event muted)
// is left out of the repeat until the mute runs out; it stays unacknowledged in the queue.
import { LEVEL_RANK, type Incident } from '../../../schemas/index.js';
import { levelName, t } from './i18n.js';
import { isHazard, store } from './store.js';

let ctx: AudioContext | null = null;
let enabled = localStorage.getItem('lookout.sound') !== 'off';
let onDuty = false;
const listeners = new Set<() => void>();
export let tonesPlayed = 0;

export function soundEnabled(): boolean {
  return enabled;
}
export function isOnDuty(): boolean {
  return onDuty;
}
export function onSoundChange(fn: () => void): void {
  listeners.add(fn);
}
function changed(): void {
  for (const fn of listeners) fn();
}

export function toggleSound(): void {
  enabled = !enabled;
  localStorage.setItem('lookout.sound', enabled ? 'on' : 'off');
  changed();
}

/** The "开始值班" click: unlock Web Audio and ask for notification permission. */
export async function startDuty(): Promise<void> {
  onDuty = true;
  try {
    ctx ??= new AudioContext();
    await ctx.resume();
  } catch {
    ctx = null;
  }
  if ('Notification' in window && Notification.permission === 'default') {
    try {
      await Notification.requestPermission();
    } catch {
      /* ignore */
    }
  }
  changed();
}

function tone(freqs: number[], dur = 0.18): void {
  tonesPlayed++;
  if (!ctx || !enabled || ctx.state !== 'running') return;
  let at = ctx.currentTime;
  for (const f of freqs) {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + dur);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + dur + 0.02);
    at += dur + 0.05;
  }
}

const ALERT = { red: [988, 740, 988, 740], orange: [880, 660], yellow: [660], blue: [] as number[] };

function notify(i: Incident): void {
  if (i.drill || !('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    // Notification text is plain text, never HTML
    new Notification(t('notifTitle', { level: levelName(i.level), title: i.title }), { tag: i.id, requireInteraction: LEVEL_RANK[i.level] >= 3 });
  } catch {
    /* some platforms need a service worker; the console itself still flashes and sounds */
  }
}

function isMuted(i: Incident, now: number): boolean {
  if (i.mutedUntil && i.mutedUntil > now) return true;
  const e = i.eventId ? store.events.get(i.eventId) : undefined;
  return !!e?.mutedUntil && e.mutedUntil > now;
}

export function initSound(): void {
  store.on('incident:new', (i) => {
    if (i.status !== 'open' || !isHazard(i)) return;
    if (i.level === 'yellow') tone(ALERT.yellow, 0.3);
    if (LEVEL_RANK[i.level] >= 3) {
      tone(ALERT[i.level]);
      notify(i);
    }
  });
  // repeat red/orange every 4 s while any is unacknowledged
  setInterval(() => {
    let worst: 'red' | 'orange' | null = null;
    const now = Date.now();
    for (const i of store.incidents.values()) {
      if (i.status !== 'open' || !isHazard(i) || isMuted(i, now)) continue;
      if (i.level === 'red') worst = 'red';
      else if (i.level === 'orange' && worst !== 'red') worst = 'orange';
    }
    if (worst) tone(ALERT[worst]);
  }, 4000);
}
