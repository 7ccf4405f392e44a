import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

const root = '/opt/lookout';

describe('config', () => {
  it('LOOKOUT_DISK_RESERVE_MB: empty leaves the automatic reserve, a number is passed to the store', () => {
    expect(loadConfig({}, { root }).diskReserveMb).toBeUndefined();
    expect(loadConfig({ LOOKOUT_DISK_RESERVE_MB: '256' }, { root }).diskReserveMb).toBe(256);
    expect(loadConfig({ LOOKOUT_DISK_RESERVE_MB: '0' }, { root }).diskReserveMb).toBe(0);
  });
  it('LOOKOUT_INCIDENT_TARGETS_MIN: the incident report\'s targets in minutes; each stage once, positive', () => {
    expect(loadConfig({}, { root }).incidentTargetsMs).toEqual({ ack: 5 * 60_000, dispatch: 15 * 60_000, resolve: 240 * 60_000 });
    expect(loadConfig({ LOOKOUT_INCIDENT_TARGETS_MIN: 'resolve=120, ack=2,dispatch=7.5' }, { root }).incidentTargetsMs).toEqual({ ack: 120_000, dispatch: 450_000, resolve: 7_200_000 });
    for (const bad of ['ack=5,dispatch=15', 'ack=5,dispatch=15,resolve=0', 'ack=5,ack=6,resolve=1', 'ack=5,dispatch=15,close=4']) {
      expect(() => loadConfig({ LOOKOUT_INCIDENT_TARGETS_MIN: bad }, { root })).toThrow(/^LOOKOUT_INCIDENT_TARGETS_MIN /);
    }
  });
  it('has safe defaults: loopback listeners, embedded store', () => {
    const c = loadConfig({}, { root });
    expect(c.http).toEqual({ host: '127.0.0.1', port: 8080, requestTimeoutMs: 30_000 });
    expect(c.admin2fa).toBe('required');
    expect(c.mqtt).toEqual({ host: '127.0.0.1', port: 1883, maxInflight: 100, drainTimeoutMs: 30_000, wsOrigins: [] });
    expect(c.store).toBe('sqlite');
    expect(c.silenceMaxDays).toBe(7);
    expect(c.shelfMaxHours).toBe(12);
    expect(Object.isFrozen(c) && Object.isFrozen(c.http)).toBe(true);
  });

  it.each([
    [{ LOOKOUT_HTTP_PORT: 'eighty' }, 'LOOKOUT_HTTP_PORT'],
    [{ LOOKOUT_MQTT_PORT: '70000' }, 'LOOKOUT_MQTT_PORT'],
    [{ LOOKOUT_STORE: 'mongodb' }, 'LOOKOUT_STORE'],
    [{ LOOKOUT_STORE: 'victoriametrics' }, 'VM_URL'],
    [{ LOOKOUT_STORE: 'victoriametrics', VM_URL: 'ftp://x' }, 'VM_URL'],
    [{ LOOKOUT_STORE: 'influxdb', INFLUX_URL: 'http://x:8086' }, 'INFLUX_TOKEN'],
    [{ LOOKOUT_ADMIN_PASSWORD: 'short' }, 'LOOKOUT_ADMIN_PASSWORD'],
    [{ LOOKOUT_MQTTS_PORT: '8883' }, 'LOOKOUT_TLS_CERT'],
    [{ LOOKOUT_HTTP_PORTT: '8080' }, 'LOOKOUT_HTTP_PORTT'],
    [{ LOOKOUT_LOG_LEVEL: 'loud' }, 'LOOKOUT_LOG_LEVEL'],
    [{ LOOKOUT_ADMIN_2FA: 'sometimes' }, 'LOOKOUT_ADMIN_2FA'],
    [{ LOOKOUT_HTTP_REQUEST_TIMEOUT_MS: '0' }, 'LOOKOUT_HTTP_REQUEST_TIMEOUT_MS'],
    [{ LOOKOUT_HTTP_REQUEST_TIMEOUT_MS: '30s' }, 'LOOKOUT_HTTP_REQUEST_TIMEOUT_MS'],
    [{ LOOKOUT_SILENCE_MAX_DAYS: '0' }, 'LOOKOUT_SILENCE_MAX_DAYS'],
    [{ LOOKOUT_SILENCE_MAX_DAYS: '365' }, 'LOOKOUT_SILENCE_MAX_DAYS'],
    [{ LOOKOUT_SHELF_MAX_HOURS: '25' }, 'LOOKOUT_SHELF_MAX_HOURS'],
    [{ LOOKOUT_MQTT_CONN_RATE: '-1' }, 'LOOKOUT_MQTT_CONN_RATE'],
    [{ LOOKOUT_MQTT_CONN_RATE: '10', LOOKOUT_MQTT_CONN_BURST: '0' }, 'LOOKOUT_MQTT_CONN_BURST'],
    [{ LOOKOUT_MQTT_FLAP_MAX: '2.5' }, 'LOOKOUT_MQTT_FLAP_MAX'],
    [{ LOOKOUT_MQTT_FLAP_BAN_S: '0' }, 'LOOKOUT_MQTT_FLAP_BAN_S'],
    [{ LOOKOUT_MQTT_MAX_INFLIGHT: '0' }, 'LOOKOUT_MQTT_MAX_INFLIGHT'],
    [{ LOOKOUT_DISK_RESERVE_MB: '-5' }, 'LOOKOUT_DISK_RESERVE_MB'],
    [{ LOOKOUT_MQTT_MAX_INFLIGHT: '1.5' }, 'LOOKOUT_MQTT_MAX_INFLIGHT'],
    [{ LOOKOUT_MQTT_DRAIN_TIMEOUT_MS: '0' }, 'LOOKOUT_MQTT_DRAIN_TIMEOUT_MS'],
    [{ LOOKOUT_MQTT_WS_ORIGINS: 'https://ops.example.org/path' }, 'LOOKOUT_MQTT_WS_ORIGINS'],
    [{ LOOKOUT_MQTT_WS_ORIGINS: 'ops.example.org' }, 'LOOKOUT_MQTT_WS_ORIGINS'],
    [{ LOOKOUT_MQTTS_PORT: '8883', LOOKOUT_TLS_CERT: 'c.pem', LOOKOUT_TLS_KEY: 'k.pem', LOOKOUT_TLS_CRL: 'crl.pem' }, 'LOOKOUT_TLS_CRL'],
  ])('fails fast naming the variable: %j', (env, variable) => {
    expect(() => loadConfig(env, { root })).toThrow(new RegExp(`^${variable} `));
    try {
      loadConfig(env, { root });
    } catch (err) {
      expect((err as { code: string }).code).toBe('LOOKOUT_ERR_CONFIG');
    }
  });

  it('MQTT connection limits: on by default, 0 turns one off', () => {
    expect(loadConfig({}, { root }).mqttLimits).toEqual({ connRate: 200, connBurst: 1000, flapMax: 30, flapWindowS: 60, flapBanS: 300, authFailIp: 20, authFailDevice: 5, authBackoffMaxS: 300 });
    const off = loadConfig({ LOOKOUT_MQTT_CONN_RATE: '0', LOOKOUT_MQTT_CONN_BURST: '0', LOOKOUT_MQTT_FLAP_MAX: '0', LOOKOUT_MQTT_AUTH_FAIL_IP: '0' }, { root }).mqttLimits;
    expect(off).toMatchObject({ connRate: 0, flapMax: 0, authFailIp: 0, authFailDevice: 5 });
  });

  it('accepts port 0 (pick a free port) and a full victoriametrics setup', () => {
    const c = loadConfig({ LOOKOUT_HTTP_PORT: '0', LOOKOUT_STORE: 'victoriametrics', VM_URL: 'http://127.0.0.1:8428/' }, { root });
    expect(c.http.port).toBe(0);
    expect(c.vmUrl).toBe('http://127.0.0.1:8428');
  });

  it('normalises the WebSocket origin allow-list (security-test-plan T23)', () => {
    const c = loadConfig({ LOOKOUT_MQTT_WS_ORIGINS: ' https://Ops.Example.org , http://10.0.0.5:8080/, https://x.org:443' }, { root });
    expect(c.mqtt.wsOrigins).toEqual(['https://ops.example.org', 'http://10.0.0.5:8080', 'https://x.org']);
  });
});

describe('docs', () => {
  it('README documents every configuration variable', async () => {
    const { readFileSync } = await import('node:fs');
    const { CONFIG_VARS } = await import('./config.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(CONFIG_VARS)) expect(readme).toContain(`| \`${name}\` |`);
  });
});
