// The review pages' calls to the hub: same origin, the console's session (../api.ts keeps it in sessionStorage).
import { getSession } from '../api.js';

export async function getJson<T>(path: string): Promise<T> {
  const s = getSession();
  const res = await fetch(path, { headers: { accept: 'application/json', ...(s ? { authorization: `Bearer ${s.token}` } : {}) }, credentials: 'same-origin' });
  const data = (await res.json().catch(() => null)) as T & { error?: { message?: string } };
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const s = getSession();
  const res = await fetch(path, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...(s ? { authorization: `Bearer ${s.token}` } : {}) },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => null)) as T & { error?: { message?: string } };
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}
