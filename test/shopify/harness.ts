// Real HTTP servers on 127.0.0.1:0, scripted per test, and a fake clock whose sleep advances time
// instantly, so retry and polling tests run the real client code over real sockets without waiting.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed JSON body, when it is one (GraphQL requests). */
  json: { query?: string; variables?: Record<string, unknown>; operationName?: string } | null;
}

export type Handler = (req: Recorded, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/**
 * Serves `handler` on a port of its own: plain HTTP, or HTTPS presenting `options.tls` (reached by
 * `options.host`, 127.0.0.1 unless said).
 */
export async function startServer(handler: Handler, options: { tls?: { cert: string; key: string }; host?: string } = {}): Promise<TestServer> {
  const requests: Recorded[] = [];
  const host = options.host ?? '127.0.0.1';
  const listener = (req: http.IncomingMessage, res: ServerResponse): void => {
    const parts: Buffer[] = [];
    req.on('data', (chunk: Buffer) => parts.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString('utf8');
      let json: Recorded['json'] = null;
      try {
        json = JSON.parse(body) as Recorded['json'];
      } catch {
        json = null;
      }
      const recorded: Recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res)).catch((err: unknown) => {
        res.destroy(err instanceof Error ? err : new Error(String(err)));
      });
    });
  };
  const server = options.tls ? https.createServer(options.tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers request n with steps[n]; a request beyond the script is a test failure (HTTP 599). */
export function scripted(steps: Handler[]): Handler {
  let next = 0;
  return (req, res) => {
    const step = steps[next];
    next += 1;
    if (!step) {
      sendJson(res, 599, { errors: [{ message: `unscripted request #${next}` }] });
      return;
    }
    return step(req, res);
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A step answering with a JSON body (200 unless said otherwise). */
export function reply(body: unknown, status = 200, headers: Record<string, string> = {}): Handler {
  return (_req, res) => sendJson(res, status, body, headers);
}

/** A step answering with a bare status and a body of the given type. */
export function status(code: number, contentType = 'text/plain', body = '', headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(code, { 'content-type': contentType, ...headers });
    res.end(body);
  };
}

/** A step that drops the connection without answering. */
export function hangUp(): Handler {
  return (_req, res) => {
    res.socket?.destroy();
  };
}

/** A healthy GraphQL answer with Shopify's cost extension. */
export function ok(data: unknown, cost: { requested?: number; actual?: number; available?: number; restoreRate?: number } = {}): Handler {
  return reply({ data, extensions: costExtension(cost) });
}

export function costExtension(cost: { requested?: number; actual?: number | null; available?: number; restoreRate?: number } = {}): unknown {
  return {
    cost: {
      requestedQueryCost: cost.requested ?? 1,
      actualQueryCost: cost.actual === undefined ? (cost.requested ?? 1) : cost.actual,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: cost.available ?? 1999, restoreRate: cost.restoreRate ?? 100 },
    },
  };
}

export interface FakeClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  sleeps: number[];
  advance(ms: number): void;
}

export function fakeClock(start = Date.parse('2026-07-21T02:07:50Z')): FakeClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance(ms) {
      t += ms;
    },
  };
}

/** Everything an error exposes as text: message, stack, details, and the same for its causes. */
export function errorText(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '');
      const details = (current as { details?: unknown }).details;
      if (details !== undefined) parts.push(JSON.stringify(details));
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}

export { etlFailure as failure } from '../support/failure.ts';
export { LOCALHOST_TLS } from '../support/tls/localhost.ts';
