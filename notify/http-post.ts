// One HTTP request for the HTTP channels (Node's fetch). Network errors and timeouts become an
// `unavailable` answer instead of a throw, so every adapter maps exactly three outcomes: the provider
// answered (status + body), or it could not be reached.
import type { SendResult } from './types.js';

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
}

export const ANSWER_MAX = 500;

export function trim(text: string): string {
  return text.length > ANSWER_MAX ? `${text.slice(0, ANSWER_MAX)}…` : text;
}

export async function httpRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<HttpAnswer | SendResult> {
  try {
    const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(init.timeoutMs), redirect: 'manual' });
    return { status: res.status, text: await res.text(), headers: res.headers };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const code = e.name === 'TimeoutError' ? 'timeout' : (e.cause?.code ?? e.name);
    // the message names host and port at most; the URL (which may carry a robot's access_token) is not repeated
    return { status: 'unavailable', code, answer: code };
  }
}

export function isAnswer(a: HttpAnswer | SendResult): a is HttpAnswer {
  return typeof (a as HttpAnswer).status === 'number';
}

/** the common mapping of an HTTP status with no provider code of its own */
export function byHttpStatus(a: HttpAnswer): SendResult {
  const answer = trim(a.text);
  if (a.status >= 200 && a.status < 300) return { status: 'sent', code: String(a.status), answer };
  if (a.status === 429) {
    const ra = Number(a.headers.get('retry-after'));
    return { status: 'rate-limited', code: '429', answer, ...(Number.isFinite(ra) && ra > 0 ? { retryAfterMs: ra * 1000 } : {}) };
  }
  if (a.status >= 500 || a.status === 408) return { status: 'unavailable', code: String(a.status), answer };
  return { status: 'rejected', code: String(a.status), answer };
}

export function parseJson(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
