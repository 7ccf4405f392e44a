// Shared shapes for compiled conditions. A condition compiles once into a closure; evaluation reuses one
// mutable context object per engine, so a reading allocates nothing on the hot path.
import type { AttributeValue } from '../../schemas/model.js';
import type { DeviceKind } from '../../schemas/kinds.js';
import type { Series } from '../series.js';

export interface DeviceView {
  id: string;
  kind: DeviceKind;
  attrs: Record<string, AttributeValue>;
  /** latest value per metric */
  last: Record<string, number>;
  series: Map<string, Series>;
}

export interface EvalCtx {
  dev: DeviceView;
  /** evaluation time (reading time), epoch ms */
  ts: number;
  /** values the conditions read (the device's latest values, or an event's value/confidence) */
  values: Record<string, number>;
  /** metrics present in the current sample (sample counters step only on these) */
  present: Record<string, number> | null;
  /** this rule's state slots for this device */
  slots: Float64Array;
  /** false = stateless probe (late data): counters are not stepped */
  update: boolean;
  /** set by the last comparison that held: what fired */
  hitMetric: string;
  hitValue: number;
  hitThreshold: number;
  hitOp: string;
  /** what the warning used, appended to the alarm text (set after a comparison holds; reset by it) */
  hitNote: string;
}

export type CondFn = (c: EvalCtx) => boolean;

export interface Compiled {
  fn: CondFn;
  /** metrics this condition reads (a reading carrying any of them triggers evaluation) */
  metrics: Set<string>;
  /** rolling windows needed per metric (ms) */
  windows: Map<string, number>;
  /** keeps per-device state (must be evaluated even when a sibling already decided) */
  stateful: boolean;
}

export interface CompileEnv {
  /** reserve n state slots; returns the first index */
  alloc(n: number): number;
  compile(node: unknown): Compiled;
}

export function needWindow(windows: Map<string, number>, metric: string, ms: number): void {
  const cur = windows.get(metric) ?? 0;
  if (ms > cur) windows.set(metric, ms);
}

export function mergeInto(target: Compiled, src: Compiled): void {
  for (const m of src.metrics) target.metrics.add(m);
  for (const [m, w] of src.windows) needWindow(target.windows, m, w);
  if (src.stateful) target.stateful = true;
}
