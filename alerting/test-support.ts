// Shared helpers for alerting's own tests and the fixture runner: an in-memory device registry and
// reading/event builders. (Not a mock of any stage: the registry is plain data.)
import type { Device, DeviceEvent, Reading } from '../schemas/model.js';
import type { CameraEventType, DeviceKind } from '../schemas/kinds.js';

export function deviceRegistry(list: Device[] = []) {
  const map = new Map<string, Device>(list.map((d) => [d.id, d]));
  return {
    get: (id: string) => map.get(id),
    all: () => map.values(),
    put(d: Device) {
      map.set(d.id, d);
    },
    remove(id: string) {
      map.delete(id);
    },
  };
}

export function device(id: string, kind: DeviceKind, opts: Partial<Device> = {}): Device {
  return { id, kind, name: opts.name ?? id, lon: opts.lon ?? 121.259, lat: opts.lat ?? 28.648, township: opts.township ?? null, attributes: opts.attributes ?? {}, createdAt: opts.createdAt ?? 0 };
}

export function reading(deviceId: string, kind: DeviceKind, ts: number, values: Record<string, number>, opts: { drill?: boolean; receivedAt?: number } = {}): Reading {
  return { deviceId, kind, ts, receivedAt: opts.receivedAt ?? ts, values, drill: opts.drill ?? false };
}

export function event(deviceId: string, ts: number, type: CameraEventType, opts: { confidence?: number; value?: number; drill?: boolean; receivedAt?: number } = {}): DeviceEvent {
  const e: DeviceEvent = { deviceId, kind: 'camera', ts, receivedAt: opts.receivedAt ?? ts, type, drill: opts.drill ?? false };
  if (opts.confidence !== undefined) e.confidence = opts.confidence;
  if (opts.value !== undefined) e.value = opts.value;
  return e;
}
