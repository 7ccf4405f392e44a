// The review and supervision pages' calls to the hub: same origin, the console's session (../api.ts keeps it in
// sessionStorage) or the login cookie. Errors keep the hub's code (ApiError), so a page can tell "log in" from the rest.
import { ApiError, getSession } from '../api.js';

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const s = getSession();
  const res = await fetch(path, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(s ? { authorization: `Bearer ${s.token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => null)) as T & { error?: { code?: string; message?: string } };
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? `HTTP ${res.status}`, data);
  return data;
}

export function getJson<T>(path: string): Promise<T> {
  return call<T>('GET', path);
}

export function postJson<T>(path: string, body: unknown): Promise<T> {
  return call<T>('POST', path, body);
}
