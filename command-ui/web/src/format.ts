// Times are shown in Asia/Shanghai, 24-hour, whatever the browser's own zone is.
import { getLang, units } from './i18n.js';

const TZ = 'Asia/Shanghai';
const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(key: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let f = fmtCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: TZ, hourCycle: 'h23', ...opts });
    fmtCache.set(key, f);
  }
  return f;
}

function parts(ts: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of fmt('full', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ts))) out[p.type] = p.value;
  return out;
}

/** 2026-11-26 14:32:05 */
export function dateTime(ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—';
  const p = parts(ts);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}
/** 14:32:05 */
export function clockTime(ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—';
  const p = parts(ts);
  return `${p.hour}:${p.minute}:${p.second}`;
}
/** 11-26 14:32 */
export function shortDateTime(ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—';
  const p = parts(ts);
  return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Age as mm:ss under an hour, h:mm:ss under a day, then "2天 3时". */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
  if (s < 86400) return `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
  const u = units();
  return `${Math.floor(s / 86400)}${u.d} ${Math.floor((s % 86400) / 3600)}${u.h}`;
}

/** Long duration for panels: "4 分 12 秒" / "4 m 12 s". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const u = units();
  const sp = getLang() === 'zh' ? ' ' : ' ';
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  const out: string[] = [];
  if (d) out.push(`${d}${sp}${u.d}`);
  if (hh) out.push(`${hh}${sp}${u.h}`);
  if (mm && !d) out.push(`${mm}${sp}${u.m}`);
  if (!d && !hh) out.push(`${ss}${sp}${u.s}`);
  return out.join(' ');
}

export function num(v: number): string {
  if (!Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 3;
  return Number(v.toFixed(digits)).toString();
}
