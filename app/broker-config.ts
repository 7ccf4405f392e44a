// app/config.ts's MQTT settings → the broker's configuration: the TLS files read, the device CRL checked
// (security-test-plan T22: refused at start when expired or unreadable, logged when it runs out within a
// week) and the connection limits (0 = off) turned into the broker's options (absent = off). Called before
// any stage opens a file or a thread, so a bad CRL or a missing key stops start-up cleanly.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { LookoutError } from '../schemas/index.js';
import { checkCrl, type CrlCheck } from '../broker/index.js';
import type { Config } from './config.js';

function loadCrl(file: string, now: number, logger: Logger): Buffer {
  const crl = readFileSync(file);
  let check: CrlCheck;
  try {
    check = checkCrl(crl, now);
  } catch (err) {
    throw new LookoutError('LOOKOUT_ERR_CONFIG', `LOOKOUT_TLS_CRL: ${file} ${(err as Error).message}`);
  }
  if (check.expiresSoon) logger.warn({ file, nextUpdate: check.nextUpdate }, 'LOOKOUT_TLS_CRL runs out within 7 days: issue a fresh CRL from the device CA and restart, or every device certificate will be refused');
  return crl;
}

export function brokerConfig(config: Config, now: number, logger: Logger) {
  const l = config.mqttLimits;
  const m = config.mqtts;
  const crl = m?.crl ? loadCrl(m.crl, now, logger) : null;
  return {
    host: config.mqtt.host,
    port: config.mqtt.port,
    maxInflight: config.mqtt.maxInflight,
    drainTimeoutMs: config.mqtt.drainTimeoutMs,
    tls: m ? { port: m.port, cert: readFileSync(m.cert), key: readFileSync(m.key), ...(m.ca ? { ca: readFileSync(m.ca) } : {}), ...(crl ? { crl } : {}) } : null,
    connRate: l.connRate > 0 ? { perSecond: l.connRate, burst: l.connBurst } : null,
    flapping: l.flapMax > 0 ? { maxConnects: l.flapMax, windowMs: l.flapWindowS * 1000, banMs: l.flapBanS * 1000 } : null,
    authBackoff: l.authFailIp > 0 || l.authFailDevice > 0 ? { ipFailures: l.authFailIp, deviceFailures: l.authFailDevice, maxMs: l.authBackoffMaxS * 1000 } : null,
  };
}
