// Last wills (MQTT 3.1.1 §3.1.2.5): the broker publishes a dead device's will for it, so the will passes the
// same ACL as the device's own PUBLISHes (broker/broker.ts authorizePublish). A QoS 1 or 2 will on the
// device's own topics is accepted and stored like a reading (aedes hands the will over without a packet
// identifier, which the [MQTT-2.3.1-1] check must not refuse — docs/security.md finding 14); a will on another
// device's topic or on $SYS is refused and dead-lettered like any other refused publish, naming the device.
// Real hub, real aedes, real mqtt.js clients that die without DISCONNECT, real SQLite.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter, DeviceState } from '../../schemas/index.js';
import { eventually } from '../helpers/eventually.js';
import { publish, startTestHub, type TestHub } from '../helpers/hub.js';

describe('last wills', () => {
  let t: TestHub;
  let admin: string;
  const tok: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestHub();
    admin = (await t.login()).token;
    for (const id of ['FLOOD-W1', 'FLOOD-W2', 'FLOOD-W3']) tok[id] = await t.addDevice(id, 'flood');
  });
  afterAll(async () => {
    await t?.close();
  });

  const state = async (id: string) => (await t.api<{ state: DeviceState }>('GET', `/api/devices/${id}`, { token: admin })).body.state;
  const deadLetters = async (id: string) => (await t.api<DeadLetter[]>('GET', `/api/dead-letters?device=${id}`, { token: admin })).body;
  /** the connection drops without DISCONNECT: the broker publishes the will */
  const die = (c: MqttClient) => (c as unknown as { stream: { destroy(): void } }).stream.destroy();

  it('QoS 1 and QoS 2 wills on the device’s own topics are published and stored', async () => {
    const a = await t.mqttConnect('FLOOD-W1', tok['FLOOD-W1']!, {
      will: { topic: 'lookout/flood/FLOOD-W1/status', payload: Buffer.from(JSON.stringify({ online: false, battery: 21 })), qos: 2, retain: true },
    });
    await publish(a, 'lookout/flood/FLOOD-W1/status', { online: true, battery: 88 });
    await eventually(async () => (await state('FLOOD-W1')).battery === 88, { timeout: 5000, message: 'FLOOD-W1 online with battery 88' });
    die(a);
    // only the will carries battery 21
    await eventually(async () => (await state('FLOOD-W1')).battery === 21, { timeout: 5000, message: 'the QoS 2 will (battery 21) in FLOOD-W1’s state' });
    expect(await state('FLOOD-W1')).toMatchObject({ online: false });

    // a QoS 1 will on the telemetry topic: a reading like any other, stored once
    const ts = Date.now() - 60_000;
    const b = await t.mqttConnect('FLOOD-W2', tok['FLOOD-W2']!, {
      will: { topic: 'lookout/flood/FLOOD-W2/telemetry', payload: Buffer.from(JSON.stringify({ ts, values: { rain: 7 } })), qos: 1, retain: false },
    });
    die(b);
    const stored = () => t.hub.store.query({ deviceId: 'FLOOD-W2', kind: 'flood', metric: 'rain', from: 0, to: Date.now() + 1 });
    await eventually(async () => (await stored()).length > 0, { timeout: 5000, message: 'the QoS 1 will’s reading in the store' });
    expect((await stored()).map((p) => [p.ts, p.value])).toEqual([[ts, 7]]);
    expect(await deadLetters('FLOOD-W1')).toEqual([]);
    expect(await deadLetters('FLOOD-W2')).toEqual([]);
  });

  it('wills on another device’s topic or on $SYS are not published and are dead-lettered, naming the device', async () => {
    await eventually(async () => (await state('FLOOD-W2')).online === false, { timeout: 5000, message: 'FLOOD-W2 offline' });
    const before = await state('FLOOD-W2');
    const wills = [
      { topic: 'lookout/flood/FLOOD-W2/status', payload: Buffer.from(JSON.stringify({ online: true, battery: 3 })), qos: 1 as const },
      { topic: '$SYS/lookout/forged', payload: Buffer.from('x'), qos: 2 as const },
    ];
    for (const [i, will] of wills.entries()) {
      const c = await t.mqttConnect('FLOOD-W3', tok['FLOOD-W3']!, { will: { ...will, retain: false } });
      die(c);
      await eventually(async () => (await deadLetters('FLOOD-W3')).length === i + 1, { timeout: 5000, message: `dead letter for will ${will.topic}` });
    }
    const letters = (await deadLetters('FLOOD-W3')).reverse();
    expect(letters.map((l) => [l.topic, l.code])).toEqual([
      ['lookout/flood/FLOOD-W2/status', 'LOOKOUT_ERR_TOPIC_DENIED'],
      ['$SYS/lookout/forged', 'LOOKOUT_ERR_TOPIC_DENIED'],
    ]);
    expect(letters[0]!.payload).toContain('"battery":3');
    // FLOOD-W2 was not brought online by the forged will
    expect(await state('FLOOD-W2')).toMatchObject({ online: false, battery: before.battery });
  });
});
