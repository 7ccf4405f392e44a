// Bounded waits for tests: every wait has a timeout and a message naming what did not happen, so a
// regression fails as "timed out after 5000 ms waiting for SUBACK" instead of the 60 s test timeout.
// These wait for a condition or an event; they never prove anything by the passing of time (absence is
// shown by a positive later event, e.g. a sentinel that does arrive). Not a timing assertion either.

export interface WaitOptions {
  /** give up after this long (ms); default 10 000 */
  timeout?: number;
  /** what is awaited, for the failure message ("the hub to announce the full disk") */
  message: string;
  /** poll interval (ms); default 25 */
  interval?: number;
}

function options(opts: WaitOptions | number | undefined, message: string | undefined): Required<WaitOptions> {
  const o = typeof opts === 'object' ? opts : { timeout: opts, message: message ?? 'condition' };
  return { timeout: o.timeout ?? 10_000, message: o.message, interval: o.interval ?? 25 };
}

/**
 * Polls `fn` until it returns a truthy value and returns that value; fails after `timeout` with
 * `message` (and the last error `fn` threw, if any).
 */
export async function eventually<T>(fn: () => T | Promise<T>, opts: WaitOptions): Promise<NonNullable<T>>;
/** @deprecated positional form of `eventually(fn, { timeout, message })`, kept for branches in flight */
export async function eventually<T>(fn: () => T | Promise<T>, timeout?: number, message?: string): Promise<NonNullable<T>>;
export async function eventually<T>(fn: () => T | Promise<T>, opts?: WaitOptions | number, message?: string): Promise<NonNullable<T>> {
  const { timeout, message: what, interval } = options(opts, message);
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Resolves as `p` does, or fails after `timeout` with `message` (what did not happen). */
export function within<T>(p: Promise<T>, opts: WaitOptions): Promise<T> {
  const { timeout, message } = options(opts, undefined);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms waiting for ${message}`)), timeout);
  });
  return Promise.race([p, expired]).finally(() => clearTimeout(timer));
}

/** The next `event` of `emitter` (passing `filter`), or fails after `timeout` ms naming it. */
export function nextEvent<T>(emitter: { once(ev: string, fn: (arg: T) => void): unknown }, event: string, timeout = 10_000, filter?: (arg: T) => boolean): Promise<T> {
  const got = new Promise<T>((resolve) => {
    const on = (arg: T) => {
      if (filter && !filter(arg)) {
        emitter.once(event, on);
        return;
      }
      resolve(arg);
    };
    emitter.once(event, on);
  });
  return within(got, { timeout, message: `the event "${event}"` });
}

/**
 * Lets the event loop run `n` full turns (setImmediate), with no clock involved: after it, work that
 * needs no timer (a loop that re-sends without waiting, say) has had its chance to show.
 */
export async function turns(n = 50): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}
