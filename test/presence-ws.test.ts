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

  it('marks a device online on connect and offline when its last will fires (the will itself, not only the lost connection)', async () => {
    const token = await t.addDevice('FLOOD-P-1', 'flood');
    expect((await state('FLOOD-P-1')).online).toBe(false);
    // the will carries a battery level only it can bring: a lost connection alone would leave 87
    const c = await t.mqttConnect('FLOOD-P-1', token, {
      will: { topic: 'lookout/flood/FLOOD-P-1/status', payload: Buffer.from(JSON.stringify({ online: false, battery: 12 })), qos: 1, retain: true },
    });
    await publish(c, 'lookout/flood/FLOOD-P-1/status', { online: true, battery: 87 });
    await eventually(async () => (await state('FLOOD-P-1')).online, { timeout: 5000, message: 'FLOOD-P-1 online' });
    expect((await state('FLOOD-P-1')).battery).toBe(87);
    // an abrupt loss: the broker publishes the will
    (c as unknown as { stream: { destroy(): void } }).stream.destroy();
    const s = await eventually(
      async () => {
        const x = await state('FLOOD-P-1');
        return x.battery === 12 ? x : null;
      },
      { timeout: 5000, message: 'the last will (battery 12) in FLOOD-P-1’s state' },
    );
    expect(s).toMatchObject({ online: false, state: 'offline' });
  });

  it('a device that reports itself offline is offline while its connection stays up', async () => {
    const token = await t.addDevice('FLOOD-P-2', 'flood');
    const c = await t.mqttConnect('FLOOD-P-2', token);
    await publish(c, 'lookout/flood/FLOOD-P-2/status', { online: true, battery: 90 });
    await eventually(async () => (await state('FLOOD-P-2')).online, { timeout: 5000, message: 'FLOOD-P-2 online' });
    await publish(c, 'lookout/flood/FLOOD-P-2/status', { online: false, battery: 89 }); // acknowledged: handled
    expect(t.hub.broker.isConnected('FLOOD-P-2')).toBe(true);
    expect(await state('FLOOD-P-2')).toMatchObject({ online: false, state: 'offline', battery: 89 });
    // and back: its own online status
    await publish(c, 'lookout/flood/FLOOD-P-2/status', { online: true, battery: 88 });
    expect(await state('FLOOD-P-2')).toMatchObject({ online: true, battery: 88 });
    c.end(true);
  });
});
