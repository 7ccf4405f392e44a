// MQTT over WebSocket on the HTTP port, and presence: a connection or a reading marks a device online;
// its last will (or a clean disconnect) marks it offline.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceState } from '../schemas/index.js';
import { eventually, publish, startTestHub, type TestHub } from './helpers/hub.js';

describe('MQTT over WebSocket and presence', () => {
  let t: TestHub;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
  });
  afterAll(async () => {
    await t?.close();
  });

  const state = async (id: string) => (await t.api<{ state: DeviceState }>('GET', `/api/devices/${id}`, { token: admin })).body.state;

  it('accepts readings over ws://…/mqtt with the device credentials', async () => {
    const token = await t.addDevice('AIR-WS-1', 'air');
    const c = await new Promise<mqtt.MqttClient>((resolve, reject) => {
      const cl = mqtt.connect(`ws://127.0.0.1:${t.httpPort}/mqtt`, { clientId: 'AIR-WS-1', username: 'AIR-WS-1', password: token, reconnectPeriod: 0 });
      cl.once('connect', () => resolve(cl));
      cl.once('error', reject);
    });
    await publish(c, 'lookout/air/AIR-WS-1/telemetry', { values: { pm25: 42, pm10: 80 } });
    expect(await t.hub.store.count('AIR-WS-1', 'air')).toBe(2);
    expect((await state('AIR-WS-1')).values).toMatchObject({ pm25: 42, pm10: 80 });
    c.end(true);
  });

  it('refuses a wrong token over WebSocket too', async () => {
    await t.addDevice('AIR-WS-2', 'air');
    const err = await new Promise<{ code?: number }>((resolve) => {
      const cl = mqtt.connect(`ws://127.0.0.1:${t.httpPort}/mqtt`, { clientId: 'AIR-WS-2', username: 'AIR-WS-2', password: 'wrong-token-0000000', reconnectPeriod: 0 });
      cl.once('error', (e) => resolve(e as { code?: number }));
    });
    expect(err.code).toBe(4);
  });

  it('marks a device online on connect and offline when its last will fires', async () => {
    const token = await t.addDevice('FLOOD-P-1', 'flood');
    expect((await state('FLOOD-P-1')).online).toBe(false);
    const c = await t.mqttConnect('FLOOD-P-1', token, {
      will: { topic: 'lookout/flood/FLOOD-P-1/status', payload: Buffer.from(JSON.stringify({ online: false })), qos: 1, retain: true },
    });
    await publish(c, 'lookout/flood/FLOOD-P-1/status', { online: true, battery: 87 });
    await eventually(async () => (await state('FLOOD-P-1')).online, 5000, 'online');
    expect((await state('FLOOD-P-1')).battery).toBe(87);
    // an abrupt loss: the broker publishes the will
    (c as unknown as { stream: { destroy(): void } }).stream.destroy();
    const s = await eventually(async () => {
      const x = await state('FLOOD-P-1');
      return x.online ? null : x;
    }, 5000, 'offline');
    expect(s.state).toBe('offline');
  });
});
