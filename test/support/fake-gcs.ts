// An in-memory Google Cloud Storage server on 127.0.0.1 that speaks the JSON API the official
// @google-cloud/storage client uses, so tests run the real client over real HTTP. Both base paths
// are served by default: `/storage/v1/b/...` (client given `apiEndpoint`) and `/b/...` (client given
// a bare STORAGE_EMULATOR_HOST); with `servesRoot: false` only `/storage/v1/...` is, as by
// fsouza/fake-gcs-server and gcp-storage-emulator. Uploads always arrive on
// `/upload/storage/v1/b/{bucket}/o`.
// The protocol facts it follows, and why the suite runs a server of its own: docs/gcp.md#fake-gcs-server.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultPlan } from './fake-gcs/faults.ts';
import type { FaultControls, RequestFacts } from './fake-gcs/faults.ts';
import { parseGoogHash, parseMultipart, readBody, sendError, sendJson } from './fake-gcs/http.ts';
import { ResumableSessions } from './fake-gcs/resumable.ts';
import { GcsHttpError, ObjectStore, objectResource } from './fake-gcs/store.ts';
import type { FakeObject, Preconditions, WriteMetadata } from './fake-gcs/store.ts';

export type { FakeObject } from './fake-gcs/store.ts';
export type { FaultControls, RequestMatch } from './fake-gcs/faults.ts';

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentRange: string | undefined;
  bodyBytes: number;
  /** Response status; 0 when the connection was dropped on purpose (the request may still have been carried out). */
  status: number;
  /** True when a fault was injected: the status, a lost answer or the start of an outage. */
  injected: boolean;
}

export interface FakeGcsOptions {
  /** Also serve the JSON API at `/b/...` (default true); false serves it only under `/storage/v1`. */
  servesRoot?: boolean;
}

export interface FakeGcs {
  /** Starts listening on 127.0.0.1; resolves to the base URL, e.g. `http://127.0.0.1:40123`. */
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
  /**
   * Stops listening (open connections are cut, new ones refused) and listens again on the same port
   * after `ms`; resolves once it has stopped.
   */
  stopFor(ms: number): Promise<void>;
  readonly faults: FaultControls;
  /** Every request answered (or dropped) so far, in arrival order. */
  readonly requests: readonly LoggedRequest[];
  createBucket(name: string): void;
  /** Makes every request on the bucket fail with 403, as for a principal without a role on it. */
  forbid(bucket: string): void;
  /** Seeds an object directly (no HTTP), e.g. a lock written by another process. */
  putObject(bucket: string, name: string, bytes: Buffer | string, meta?: WriteMetadata): FakeObject;
  objects(bucket: string): FakeObject[];
  object(bucket: string, name: string): FakeObject | undefined;
}

/**
 * Client retry settings for tests. The client cannot wait less than 1 s between retries (its
 * async-retry wrappers use a fixed 1000 ms minimum and reject a smaller maxRetryDelay), so each
 * injected fault costs about a second: keep them few.
 */
export const fastRetryOptions = { maxRetries: 3, maxRetryDelay: 1, retryDelayMultiplier: 1, totalTimeout: 30 } as const;

const UPLOAD = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
const DOWNLOAD = /^\/download\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/;
const BUCKETS = /^\/b$/;
const BUCKET = /^\/b\/([^/]+)$/;
const OBJECTS = /^\/b\/([^/]+)\/o$/;
const OBJECT = /^\/b\/([^/]+)\/o\/(.+)$/;

export function createFakeGcs(options: FakeGcsOptions = {}): FakeGcs {
  const servesRoot = options.servesRoot ?? true;
  const store = new ObjectStore();
  const sessions = new ResumableSessions(store);
  const faults = new FaultPlan();
  const requests: LoggedRequest[] = [];
  let server: Server | undefined;
  let port: number | undefined;
  let restart: NodeJS.Timeout | undefined;
  let closed = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = url.searchParams;
    const contentRange = headerOf(req, 'content-range');
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(query),
      contentRange,
      bodyBytes: 0,
      status: 0,
      injected: false,
    };
    requests.push(entry);
    // A lost answer's status stays 0 even if the server thinks it finished writing it.
    let lost = false;
    res.on('finish', () => {
      if (!lost) entry.status = res.statusCode;
    });

    // Every request counts toward the faults; one failed with a status is read whole and not processed.
    const fault = faults.onRequest(factsOf(req.method ?? 'GET', url.pathname, query));
    if (fault?.kind === 'status') {
      entry.bodyBytes = (await readBody(req)).body.length;
      entry.injected = true;
      const reason = fault.status === 429 ? 'rateLimitExceeded' : 'backendError';
      sendError(res, fault.status, reason, fault.status === 429 ? 'The rate of requests is too high.' : 'Backend Error');
      return;
    }
    if (fault?.kind === 'outage') {
      entry.injected = true;
      req.socket.destroy();
      await stopFor(fault.ms);
      return;
    }

    const isUploadBody =
      UPLOAD.test(url.pathname) &&
      ((req.method === 'POST' && query.get('uploadType') !== 'resumable') || (req.method === 'PUT' && query.has('upload_id')));
    const threshold = isUploadBody ? faults.dropThreshold() : undefined;
    const { body, dropped } = await readBody(req, threshold);
    entry.bodyBytes = body.length;
    if (dropped) {
      faults.dropped();
      const uploadId = query.get('upload_id');
      if (uploadId) sessions.keepPartial(uploadId, contentRange, body);
      return;
    }

    const base = `http://${req.headers.host ?? '127.0.0.1'}`;
    // A lost answer: the request is carried out in full, but what it would answer is swallowed and
    // the connection destroyed instead. (Corking the socket is not enough: the response uncorks it.)
    lost = fault?.kind === 'loseAnswer';
    if (lost) {
      entry.injected = true;
      res.writeHead = () => res;
      res.write = () => true;
      res.end = () => {
        req.socket.destroy();
        return res;
      };
    }
    try {
      route(req.method ?? 'GET', url.pathname, query, body, req, res, base);
    } catch (err) {
      if (err instanceof GcsHttpError) sendError(res, err.status, err.reason, err.message);
      else sendError(res, 500, 'backendError', err instanceof Error ? err.message : String(err));
    }
  }

  function factsOf(method: string, path: string, query: URLSearchParams): RequestFacts {
    const json = path.startsWith('/storage/v1/') ? path.slice('/storage/v1'.length) : path;
    const inPath = DOWNLOAD.exec(path)?.[2] ?? OBJECT.exec(json)?.[2];
    return { method, path, object: inPath !== undefined ? segment(inPath) : (query.get('name') ?? undefined) };
  }

  async function stopFor(ms: number): Promise<void> {
    const s = server;
    if (!s || port === undefined) return;
    server = undefined;
    const again = port;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    if (closed) return;
    restart = setTimeout(() => {
      restart = undefined;
      if (!closed) void start(again);
    }, ms);
  }

  function start(at: number): Promise<string> {
    const s = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendError(res, 500, 'backendError', err instanceof Error ? err.message : String(err));
      });
    });
    server = s;
    return new Promise((resolve, reject) => {
      s.once('error', reject);
      s.listen(at, '127.0.0.1', () => {
        port = (s.address() as AddressInfo).port;
        resolve(`http://127.0.0.1:${port}`);
      });
    });
  }

  function route(method: string, path: string, query: URLSearchParams, body: Buffer, req: IncomingMessage, res: ServerResponse, base: string): void {
    let m: RegExpExecArray | null;
    if ((m = UPLOAD.exec(path))) return upload(method, segment(m[1]), query, body, req, res, base);
    if ((m = DOWNLOAD.exec(path)) && method === 'GET') return download(segment(m[1]), segment(m[2]), query, req, res);
    const json = path.startsWith('/storage/v1/') ? path.slice('/storage/v1'.length) : servesRoot ? path : undefined;
    if (json === undefined) throw new GcsHttpError(404, 'notFound', `Not Found: ${method} ${path}`);
    if (BUCKETS.test(json)) {
      if (method === 'POST') {
        const name = String((parseJson(body).name as string | undefined) ?? '');
        store.createBucket(name);
        return sendJson(res, 200, store.bucketResource(name));
      }
      if (method === 'GET') {
        return sendJson(res, 200, { kind: 'storage#buckets', items: store.bucketNames().map((n) => store.bucketResource(n)) });
      }
    }
    if ((m = BUCKET.exec(json))) {
      const bucket = segment(m[1]);
      if (method === 'GET') return sendJson(res, 200, store.bucketResource(bucket));
      if (method === 'DELETE') {
        store.deleteBucket(bucket);
        res.writeHead(204).end();
        return;
      }
    }
    if ((m = OBJECTS.exec(json)) && method === 'GET') {
      const page = store.list(segment(m[1]), {
        prefix: query.get('prefix') ?? undefined,
        delimiter: query.get('delimiter') ?? undefined,
        maxResults: query.has('maxResults') ? Number(query.get('maxResults')) : undefined,
        pageToken: query.get('pageToken') ?? undefined,
      });
      const out: Record<string, unknown> = { kind: 'storage#objects' };
      if (page.items.length > 0) out.items = page.items.map((o) => objectResource(o, base));
      if (page.prefixes.length > 0) out.prefixes = page.prefixes;
      if (page.nextPageToken) out.nextPageToken = page.nextPageToken;
      return sendJson(res, 200, out);
    }
    if ((m = OBJECT.exec(json))) {
      const bucket = segment(m[1]);
      const name = segment(m[2]);
      if (method === 'GET' && query.get('alt') === 'media') return download(bucket, name, query, req, res);
      if (method === 'GET') {
        return sendJson(res, 200, objectResource(store.read(bucket, name, preconditions(query), query.get('generation') ?? undefined), base));
      }
      if (method === 'DELETE') {
        store.delete(bucket, name, preconditions(query));
        res.writeHead(204).end();
        return;
      }
      if (method === 'PATCH') return sendJson(res, 200, objectResource(store.patch(bucket, name, parseJson(body), preconditions(query)), base));
    }
    throw new GcsHttpError(404, 'notFound', `Not Found: ${method} ${path}`);
  }

  function upload(method: string, bucket: string, query: URLSearchParams, body: Buffer, req: IncomingMessage, res: ServerResponse, base: string): void {
    const uploadId = query.get('upload_id');
    if (method === 'PUT' && uploadId) {
      const outcome = sessions.put(uploadId, headerOf(req, 'content-range'), body, parseGoogHash(req.headers['x-goog-hash']));
      if (outcome.status === 200) return sendJson(res, 200, objectResource(outcome.object, base));
      res.writeHead(308, outcome.persisted > 0 ? { range: `bytes=0-${outcome.persisted - 1}`, 'content-length': 0 } : { 'content-length': 0 });
      res.end();
      return;
    }
    if (method !== 'POST') throw new GcsHttpError(404, 'notFound', `Not Found: ${method} upload`);
    const pre = preconditions(query);
    const uploadType = query.get('uploadType');
    if (uploadType === 'resumable') {
      const metadata = parseJson(body);
      const name = query.get('name') ?? String(metadata.name ?? '');
      const meta = writeMetadata(metadata, headerOf(req, 'x-upload-content-type'));
      const id = sessions.start(bucket, name, meta, pre);
      const location = `${base}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
      res.writeHead(200, { location, 'content-length': 0 });
      res.end();
      return;
    }
    const declared = parseGoogHash(req.headers['x-goog-hash']);
    if (uploadType === 'multipart') {
      const part = parseMultipart(body, headerOf(req, 'content-type') ?? '');
      const name = query.get('name') ?? String(part.metadata.name ?? '');
      const meta = { ...writeMetadata(part.metadata, part.mediaType), ...declared };
      return sendJson(res, 200, objectResource(store.write(bucket, name, part.media, meta, pre), base));
    }
    if (uploadType === 'media') {
      const name = query.get('name') ?? '';
      const meta = { ...writeMetadata({}, headerOf(req, 'content-type')), ...declared };
      return sendJson(res, 200, objectResource(store.write(bucket, name, body, meta, pre), base));
    }
    throw new GcsHttpError(400, 'invalid', `Unsupported uploadType: ${uploadType ?? '(none)'}`);
  }

  function download(bucket: string, name: string, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const object = store.read(bucket, name, preconditions(query), query.get('generation') ?? undefined);
    const size = object.bytes.length;
    const headers: Record<string, string | number> = {
      'content-type': object.contentType,
      'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
      'x-goog-generation': object.generation,
      'x-goog-metageneration': object.metageneration,
      'x-goog-stored-content-encoding': object.contentEncoding ?? 'identity',
      'x-goog-stored-content-length': size,
      etag: `"${object.md5Hash}"`,
      'last-modified': new Date(object.updated).toUTCString(),
      'accept-ranges': 'bytes',
    };
    if (object.contentEncoding) headers['content-encoding'] = object.contentEncoding;
    const range = headerOf(req, 'range');
    if (range === undefined) {
      res.writeHead(200, { ...headers, 'content-length': size });
      res.end(object.bytes);
      return;
    }
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    let start = m?.[1] ? Number(m[1]) : undefined;
    let end = m?.[2] ? Number(m[2]) : size - 1;
    if (start === undefined && m?.[2]) {
      start = Math.max(0, size - Number(m[2])); // `bytes=-N`: the last N bytes
      end = size - 1;
    }
    if (!m || start === undefined || start >= size || end < start) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      res.end();
      return;
    }
    end = Math.min(end, size - 1);
    res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
    res.end(object.bytes.subarray(start, end + 1));
  }

  return {
    faults,
    requests,
    listen: (at = 0) => start(at),
    stopFor,
    close() {
      closed = true;
      clearTimeout(restart);
      const s = server;
      server = undefined;
      if (!s) return Promise.resolve();
      s.closeAllConnections();
      return new Promise((resolve, reject) => s.close((err) => (err ? reject(err) : resolve())));
    },
    createBucket: (name) => store.createBucket(name),
    forbid: (bucket) => store.forbid(bucket),
    putObject: (bucket, name, bytes, meta = {}) => store.write(bucket, name, Buffer.from(bytes), meta, {}),
    objects: (bucket) => store.objects(bucket),
    object: (bucket, name) => store.object(bucket, name),
  };
}

function segment(raw: string | undefined): string {
  return decodeURIComponent(raw ?? '');
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new GcsHttpError(400, 'parseError', 'Parse Error');
  }
}

function preconditions(query: URLSearchParams): Preconditions {
  return {
    ifGenerationMatch: query.get('ifGenerationMatch') ?? undefined,
    ifGenerationNotMatch: query.get('ifGenerationNotMatch') ?? undefined,
    ifMetagenerationMatch: query.get('ifMetagenerationMatch') ?? undefined,
    ifMetagenerationNotMatch: query.get('ifMetagenerationNotMatch') ?? undefined,
  };
}

function writeMetadata(resource: Record<string, unknown>, mediaType: string | undefined): WriteMetadata {
  const custom = resource.metadata;
  return {
    contentType: typeof resource.contentType === 'string' ? resource.contentType : mediaType,
    contentEncoding: typeof resource.contentEncoding === 'string' ? resource.contentEncoding : undefined,
    metadata:
      custom && typeof custom === 'object'
        ? Object.fromEntries(Object.entries(custom as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
        : undefined,
    crc32c: typeof resource.crc32c === 'string' ? resource.crc32c : undefined,
    md5Hash: typeof resource.md5Hash === 'string' ? resource.md5Hash : undefined,
  };
}
