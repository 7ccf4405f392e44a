// Second-pass finding (docs/security.md) "A resent reading without `ts` is stored twice and counted twice by the rules" (security-test-plan
// T26, MQTT 3.1.1 §4.3.2/§4.3.3): a QoS 1 PUBLISH resent with DUP=1 and the same packet id, and a QoS 2
// PUBLISH resent before PUBREL, are stamped with the first copy's arrival time, so the store keeps one
// row and the rolling rain sum (read by the flash-flood rule) counts it once. Raw MQTT (mqtt-packet over
// TCP) to set DUP by hand; a real hub on a virtual clock that moves between the copies.
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRaw, type RawDevice } from '../helpers/raw-mqtt.js';
import { startClockHub, type ClockHub } from './helpers.js';

const TOPIC = (id: string) => `lookout/flood/${id}/telemetry`;
const rain = (mm: number) => JSON.stringify({ values: { rain: mm } });
const publish = (id: string, payload: string, qos: 1 | 2, messageId: number, dup: boolean) => mqttPacket.generate({ cmd: 'publish', topic: TOPIC(id), payload: Buffer.from(payload), qos, messageId, dup, retain: false });

describe('a redelivered reading without ts counts once', () => {
  let h: ClockHub;
  let admin: string;
  beforeAll(async () => {
    h = await startClockHub();
    admin = await h.login();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function device(id: string): Promise<RawDevice> {
    const { token } = await h.hub.registry.add({ id, kind: 'flood', lon: 121.259, lat: 28.648, township: '331003001' });
    return connectRaw(h.mqttPort, id, token);
  }
  const rain24h = async (id: string) => (await h.api<{ derived: { rain: { rain24h: number } | null } }>('GET', `/api/devices/${id}`, { token: admin })).body.derived.rain?.rain24h;
  const points = async (id: string) => (await h.hub.store.query({ deviceId: id, kind: 'flood', metric: 'rain', from: 0, to: h.clock.now() + 1 })).length;

  it('T26: a QoS 1 DUP resend with the same packet id leaves the rain sum at 20 and one stored row', async () => {
    const d = await device('redeliver-1');
    try {
      d.sock.write(publish('redeliver-1', rain(20), 1, 7, false));
      await d.waitFor('puback', 0);
      h.clock.advance(1500); // the copy arrives later: a fresh stamp would be another reading
      d.sock.write(publish('redeliver-1', rain(20), 1, 7, true));
      await d.waitFor('puback', 1);
      expect(await rain24h('redeliver-1')).toBe(20);
      expect(await points('redeliver-1')).toBe(1);
      // the packet id reused for a new message (DUP=0) is a new reading
      h.clock.advance(1500);
      d.sock.write(publish('redeliver-1', rain(20), 1, 7, false));
      await d.waitFor('puback', 2);
      expect(await rain24h('redeliver-1')).toBe(40);
      expect(await points('redeliver-1')).toBe(2);
      const metrics = (await h.api<string>('GET', '/metrics')).body;
      expect(metrics).toMatch(/lookout_mqtt_redelivered_total 1\b/);
    } finally {
      d.sock.destroy();
    }
  });

  it('T26: a QoS 2 PUBLISH resent before PUBREL is stored and counted once', async () => {
    const d = await device('redeliver-2');
    try {
      d.sock.write(publish('redeliver-2', rain(5), 2, 9, false));
      await d.waitFor('pubrec', 0);
      h.clock.advance(1500);
      d.sock.write(publish('redeliver-2', rain(5), 2, 9, true));
      await d.waitFor('pubrec', 1);
      d.sock.write(mqttPacket.generate({ cmd: 'pubrel', messageId: 9 }));
      await d.waitFor('pubcomp', 0);
      expect(await rain24h('redeliver-2')).toBe(5);
      expect(await points('redeliver-2')).toBe(1);
    } finally {
      d.sock.destroy();
    }
  });

  it('T26: the same packet id from another device is another reading', async () => {
    const a = await device('redeliver-3');
    const b = await device('redeliver-4');
    try {
      a.sock.write(publish('redeliver-3', rain(3), 1, 11, false));
      await a.waitFor('puback', 0);
      b.sock.write(publish('redeliver-4', rain(3), 1, 11, true));
      await b.waitFor('puback', 0);
      expect([await rain24h('redeliver-3'), await rain24h('redeliver-4')]).toEqual([3, 3]);
    } finally {
      a.sock.destroy();
      b.sock.destroy();
    }
  });
});
