// Answers to requests that never became a request: Node's HTTP parser gave up on them before fastify
// routed anything (security-test-plan T33). The commonest on purpose is a slow body or slow headers
// (slowloris, slowhttptest): after `requestTimeout` Node reports ERR_HTTP_REQUEST_TIMEOUT and we answer
// 408 in the hub's `{"error": {code, message}}` shape, then close the connection. The rest as fastify's
// own default handler does (fastify.js `defaultClientErrorHandler`), in our shape.
import type { Socket } from 'node:net';
import { ERRORS } from '../../schemas/index.js';

/** Node's own periodic check of request/header timeouts runs every `connectionsCheckingInterval`
 *  (default 30 s, which would let a slow request live up to twice the timeout): check a few times per timeout. */
export function connectionsCheckingInterval(requestTimeoutMs: number): number {
  return Math.min(30_000, Math.max(50, Math.floor(requestTimeoutMs / 4)));
}

export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // a reset connection has nobody to answer
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status: number;
  let reason: string;
  let code: string;
  let message: string;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    [status, reason, code, message] = [408, 'Request Timeout', 'LOOKOUT_ERR_REQUEST_TIMEOUT', ERRORS.LOOKOUT_ERR_REQUEST_TIMEOUT.message];
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    [status, reason, code, message] = [431, 'Request Header Fields Too Large', 'LOOKOUT_ERR_VALIDATION', 'Request headers too large.'];
  } else {
    [status, reason, code, message] = [400, 'Bad Request', 'LOOKOUT_ERR_VALIDATION', 'Malformed HTTP request.'];
  }
  // Write only when no response has started on this connection, or the answer would corrupt it.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify({ error: { code, message } });
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
