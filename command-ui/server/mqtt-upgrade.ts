// Checks on an MQTT-over-WebSocket upgrade (/mqtt) before the handshake (security-test-plan T23;
// mosquitto `13-websocket-bad-origin`):
//   - Origin: devices send none and are let through (their device token is checked at CONNECT). A
//     browser always sends one; a page from another site must not drive a device connection from the
//     browser of someone on the device network (cross-site WebSocket hijacking), so only the hub's own
//     host and the origins in LOOKOUT_MQTT_WS_ORIGINS are accepted; others get 403. Non-browser
//     clients can forge Origin: this guards browsers, the token guards the broker.
//   - Header count: a device sends a handful; Node keeps up to 2 000 (`maxHeadersCount`) and refuses
//     only more than 16 KB of them (431), so a request with hundreds of small headers is refused here.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { ERRORS, type ErrorCode } from '../../schemas/index.js';

/** more headers than any MQTT client sends on an upgrade (mqtt.js sends 6, browsers ~15) */
export const MAX_UPGRADE_HEADERS = 100;

export interface UpgradeRefusal {
  status: 403 | 431;
  code: ErrorCode;
  /** for the log */
  reason: string;
}

function sameHost(origin: URL, host: string | undefined): boolean {
  if (!host) return false;
  try {
    // parsed with the origin's scheme so that a default port (":443") compares equal to none
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/** null = go ahead with the upgrade */
export function checkMqttUpgrade(req: IncomingMessage, allowedOrigins: readonly string[]): UpgradeRefusal | null {
  if (req.rawHeaders.length / 2 > MAX_UPGRADE_HEADERS) {
    return { status: 431, code: 'LOOKOUT_ERR_HEADERS_TOO_LARGE', reason: `${req.rawHeaders.length / 2} headers` };
  }
  const raw = req.headers.origin;
  if (raw === undefined) return null;
  let origin: URL | null = null;
  try {
    origin = new URL(raw);
  } catch {
    /* "null" (sandboxed page, file://) or garbage: refused below */
  }
  if (origin && (sameHost(origin, req.headers.host) || allowedOrigins.includes(origin.origin))) return null;
  return { status: 403, code: 'LOOKOUT_ERR_WS_ORIGIN', reason: `origin ${raw.slice(0, 200)}` };
}

/** answers the upgrade request with a plain HTTP error and closes the socket (as ws' abortHandshake) */
export function refuseUpgrade(socket: Duplex, r: UpgradeRefusal): void {
  const body = JSON.stringify({ error: { code: r.code, message: ERRORS[r.code].message } });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
