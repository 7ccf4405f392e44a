// REST client for the hub's /api (docs/architecture.md). Same origin only; bearer token from the login.
import type {
  Alarm, Device, DeviceState, HazardEvent, HistoryPoint, HubStats, Incident, IncidentAction, IncidentActionBody, Level, Report, Role,
} from '../../../schemas/index.js';
import type { Resource, Target, VulnerableSite, ZoneQueryBody, ZoneQueryResult } from '../../../schemas/index.js';
import type { Shelf } from '../../../schemas/rules.js';

export interface SessionUser {
  username: string;
  role: Role;
  displayName: string | null;
}
export interface Session {
  token: string;
  user: SessionUser;
}

export class ApiError extends Error {
  /** `data`: the whole answer, for errors that carry more than code and message (the 2FA enrolment) */
  constructor(readonly status: number, readonly code: string, message: string, readonly data: unknown = null) {
    super(message);
  }
}

const KEY = 'lookout.session';
let session: Session | null = null;
try {
  const raw = sessionStorage.getItem(KEY);
  if (raw) session = JSON.parse(raw) as Session;
} catch {
  session = null;
}
let onUnauthorized: () => void = () => {};

export function getSession(): Session | null {
  return session;
}
export function setSession(s: Session | null): void {
  session = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session) headers.authorization = `Bearer ${session.token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    signal,
  });
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    if (res.status === 401 && path !== '/api/auth/login') onUnauthorized();
    throw new ApiError(res.status, err?.code ?? `HTTP_${res.status}`, err?.message ?? res.statusText, data);
  }
  return data as T;
}

export interface TownshipsFile {
  district: { code: string; name: string; nameEn: string; center: [number, number]; bbox: [number, number, number, number] };
  townships: { code: string; name: string; nameEn: string; type: string; center: [number, number]; estimate: boolean }[];
  water: { name: string; nameEn: string; kind: string; point: [number, number] }[];
}

export interface DeviceDetail {
  device: Device;
  state: DeviceState;
  alarms: Alarm[];
}

/** a device as the admin routes answer it: retired and revoked flags besides the map's fields */
export type ManagedDevice = Device & { retiredAt?: number | null; tokenRevoked?: boolean };
export interface DevicePageQuery {
  q?: string;
  kind?: string;
  township?: string;
  state?: string;
  retired?: boolean;
  offset: number;
  limit: number;
}
export interface DevicePage {
  total: number;
  offset: number;
  limit: number;
  items: { device: ManagedDevice; state: DeviceState | null }[];
}

export const api = {
  /** `totp`: the one-time code, for accounts with two-factor login (login.ts walks the steps) */
  login: (username: string, password: string, totp?: string) => request<Session>('POST', '/api/auth/login', { username, password, ...(totp ? { totp } : {}) }),
  logout: () => request<unknown>('POST', '/api/auth/logout'),
  devices: () => request<Device[]>('GET', '/api/devices'),
  device: (id: string) => request<DeviceDetail>('GET', `/api/devices/${encodeURIComponent(id)}`),
  createDevice: (body: { id: string; kind: string; lon: number; lat: number; name?: string }) =>
    request<{ device: Device; token: string }>('POST', '/api/devices', body),
  history: (id: string, metric: string, from: number, to: number, step: number, signal?: AbortSignal) =>
    request<{ points: HistoryPoint[] }>(
      'GET',
      `/api/devices/${encodeURIComponent(id)}/history?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}&step=${step}`,
      undefined,
      signal,
    ),
  /** the quantity an alarm's rule judges (3 h rain sum …) with the rule's level lines */
  derivedSeries: (id: string, rule: string, metric: string, from: number, to: number, signal?: AbortSignal) =>
    request<{ points: HistoryPoint[]; levels: { level: Level; op: string; value: number }[]; unit: string; base: string; metric: string }>(
      'GET',
      `/api/devices/${encodeURIComponent(id)}/derived-series?rule=${encodeURIComponent(rule)}&metric=${encodeURIComponent(metric)}&from=${from}&to=${to}`,
      undefined,
      signal,
    ),
  states: () => request<DeviceState[]>('GET', '/api/states'),
  incidents: (status: 'open' | 'closed' | 'all') => request<Incident[]>('GET', `/api/incidents?status=${status}`),
  incident: (id: string) => request<Incident>('GET', `/api/incidents/${encodeURIComponent(id)}`),
  act: (id: string, action: IncidentAction, body: IncidentActionBody) =>
    request<Incident>('POST', `/api/incidents/${encodeURIComponent(id)}/${action}`, body),
  events: (status: 'open' | 'closed' | 'all') => request<HazardEvent[]>('GET', `/api/events?status=${status}`),
  /** an event's 全部确认 (ack) or 消音 (mute) */
  eventAct: (id: string, action: 'ack' | 'mute', body: { note: string; minutes?: number }) =>
    request<HazardEvent>('POST', `/api/events/${encodeURIComponent(id)}/${action}`, body),
  shelves: () => request<Shelf[]>('GET', '/api/shelves'),
  /** reports up the chain still due (初报/续报/终报), soonest first, scoped to the user's townships */
  reportQueue: () => request<Report[]>('GET', '/api/reports/queue'),
  /** 暂缓: the sensor raises no alarm for `minutes` (at most one shift) */
  shelve: (deviceId: string, body: { reason: string; minutes: number }) => request<Shelf>('POST', `/api/devices/${encodeURIComponent(deviceId)}/shelve`, body),
  unshelve: (deviceId: string) => request<Shelf>('DELETE', `/api/devices/${encodeURIComponent(deviceId)}/shelve`),
  /** 结束演练: closes every drill incident and event (kept for review) */
  drillEnd: () => request<{ alarms: number; incidents: number; events: number }>('POST', '/api/drill/end', {}),
  stats: () => request<HubStats>('GET', '/api/stats'),
  townships: () => request<TownshipsFile>('GET', '/api/map/townships'),
  /** one page of the device list (GET /api/devices?limit=…): search, kind, township, live state, retired */
  devicePage: (q: DevicePageQuery) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') qs.set(k, String(v));
    return request<DevicePage>('GET', `/api/devices?${qs.toString()}`);
  },
  editDevice: (id: string, body: { name?: string; lon?: number; lat?: number; township?: string | null }) =>
    request<{ device: ManagedDevice }>('PATCH', `/api/devices/${encodeURIComponent(id)}`, body),
  retireDevice: (id: string) => request<{ device: ManagedDevice }>('DELETE', `/api/devices/${encodeURIComponent(id)}`),
  restoreDevice: (id: string) => request<{ device: ManagedDevice }>('POST', `/api/devices/${encodeURIComponent(id)}/restore`),
  rotateToken: (id: string) => request<{ device: ManagedDevice; token: string }>('POST', `/api/devices/${encodeURIComponent(id)}/token`),
  revokeToken: (id: string) => request<{ device: ManagedDevice }>('DELETE', `/api/devices/${encodeURIComponent(id)}/token`),
  /** the operator's basemap (LOOKOUT_BASEMAP), or null: the console draws its township sketch */
  basemap: () => request<import('./map/vector-style.js').BasemapInfo | null>('GET', '/api/map/basemap'),
  uiConfig: () => request<{ mapStyle: string | null }>('GET', '/api/config/ui'),
  /** the camera's latest snapshot as an object URL, or null when the hub has none (404) */
  snapshot: async (id: string): Promise<string | null> => {
    const res = await fetch(`/api/devices/${encodeURIComponent(id)}/snapshot`, { headers: session ? { authorization: `Bearer ${session.token}` } : {}, credentials: 'same-origin' });
    if (res.status === 404) return null;
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
    return URL.createObjectURL(await res.blob());
  },
  supervisor: () => request<import('../../../schemas/index.js').SupervisorStats | null>('GET', '/api/supervisor'),
  // preparedness on the map (docs/prepare.md): resources, hazard points and risk targets, vulnerable sites, zone query
  resources: () => request<Resource[]>('GET', '/api/resources'),
  hazards: () => request<Target[]>('GET', '/api/hazards'),
  vulnerableSites: () => request<VulnerableSite[]>('GET', '/api/vulnerable-sites'),
  zoneQuery: (body: ZoneQueryBody) => request<ZoneQueryResult>('POST', '/api/zones/query', body),
  /** the zone's list as CSV (the hub audits the export) */
  zoneCsv: async (body: ZoneQueryBody): Promise<Blob> => {
    const res = await fetch('/api/zones/query?format=csv', { method: 'POST', headers: { 'content-type': 'application/json', ...(session ? { authorization: `Bearer ${session.token}` } : {}) }, body: JSON.stringify(body), credentials: 'same-origin' });
    if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
    return res.blob();
  },
};
