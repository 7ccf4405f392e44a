// Test support: what every provider mock offers the contract suite — what it accepted (address + text,
// after checking the real signature), what it refused and why, and faults to inject.
import type { Clock } from '../../schemas/index.js';

export interface Accepted {
  address: string;
  text: string;
  /** provider-specific detail (bizMsgId, TemplateParam, subject …) */
  detail?: Record<string, unknown>;
}

export type Fault = 'rate-limit' | 'unavailable';

export interface MockProvider {
  accepted: Accepted[];
  refused: { code: string; reason: string }[];
  /** the next n requests answer with this fault */
  failNext(fault: Fault, n?: number): void;
  close(): Promise<void>;
}

export class Faults {
  private queue: Fault[] = [];
  add(f: Fault, n = 1) {
    for (let i = 0; i < n; i++) this.queue.push(f);
  }
  take(): Fault | undefined {
    return this.queue.shift();
  }
}

export interface MockOptions {
  clock: Clock;
}
