// The words of an alarm: the figures an alarm message shows and the message of a threshold that held.
import { METRICS, type DeviceKind } from '../schemas/kinds.js';

/** a figure as alarm messages show it (at most three decimals) */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Math.round(v * 1000) / 1000);
}

/** "<rule title>: rain.sum(3h) 193.3 mm >= 100 mm" */
export function thresholdMessage(title: string, kind: DeviceKind, metric: string, value: number, op: string, threshold: number): string {
  const base = metric.split('.')[0]!;
  const unit = METRICS[kind]?.[base]?.unit ?? '';
  const u = unit ? ` ${unit}` : '';
  return `${title}: ${metric} ${fmt(value)}${u} ${op} ${fmt(threshold)}${u}`;
}
