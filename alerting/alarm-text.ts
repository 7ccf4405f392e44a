// The words of an alarm: the figures an alarm message shows and the message of a threshold that held.
import { METRICS, type DeviceKind } from '../schemas/kinds.js';

/** a figure as alarm messages show it (at most three decimals) */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}

/** "<rule title>: rain.sum(3h) 193.3 mm >= 100 mm", then the note the condition left (what the warning used) */
export function thresholdMessage(title: string, kind: DeviceKind, metric: string, value: number, op: string, threshold: number, note = ''): string {
  const base = metric.split('.')[0]!;
  const unit = METRICS[kind]?.[base]?.unit ?? '';
  const u = unit ? ` ${unit}` : '';
  return withNote(`${title}: ${metric} ${fmt(value)}${u} ${op} ${fmt(threshold)}${u}`, note);
}

/** text · note — the note names the values a warning used (critical rainfall and its source, the
 *  tangent-angle baseline, whether rain is still falling, TN beside the water class) */
export function withNote(text: string, note: string): string {
  return note ? `${text} · ${note}` : text;
}
