// Test support: a plain HTTP server on 127.0.0.1 (free port) for the provider mocks. The handler sees the
// raw body and answers status + JSON (or text).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MockRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}
export interface MockAnswer {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export interface HttpMock {
  url: string;
  requests: MockRequest[];
  close(): Promise<void>;
}

export async function startHttpMock(handler: (req: MockRequest) => MockAnswer): Promise<HttpMock> {
  const requests: MockRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: MockRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(r);
      let a: MockAnswer;
      try {
        a = handler(r);
      } catch (err) {
        a = { status: 500, text: String(err) };
      }
      const body = a.json !== undefined ? JSON.stringify(a.json) : (a.text ?? '');
      res.writeHead(a.status ?? 200, { 'content-type': a.json !== undefined ? 'application/json;charset=utf-8' : 'text/plain', ...a.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
