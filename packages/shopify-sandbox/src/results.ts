// Result files and their signed URLs. Shopify hands out GCS V2 signed URLs (no Shopify auth, expiring
// 7 days after completion); the sandbox serves the same from GET /bulk-results/<key>.jsonl on its own
// server, with HTTP Range support. Failures answer like GCS's XML API:
//   bad or missing signature  403 SignatureDoesNotMatch
//   expired URL               400 ExpiredToken (GCS's answer for an expired signed URL)
//   file gone                 404 NoSuchKey
//   range past the end        416 InvalidRange, Content-Range: bytes */<size>
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FaultController } from './faults.ts';

export const RESULTS_PATH = '/bulk-results/';

export interface ResultFilesOptions {
  dir: string;
  /** The server's base URL, known once it listens. */
  baseUrl: () => string;
  now: () => number;
}

export interface LineStats {
  lines: number;
  rootLines: number;
  bytes: number;
}

function gcsError(res: ServerResponse, status: number, code: string, message: string, details?: string): void {
  const body = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message>${details ? `<Details>${details}</Details>` : ''}</Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Parses a single `bytes=` range; null means "serve it all" (absent, malformed or multi-range, as GCS does). */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export class ResultFiles {
  private readonly dir: string;
  private readonly baseUrl: () => string;
  private readonly now: () => number;
  private readonly secret = randomBytes(32);
  /** Byte ranges of each file sent in full, so a test can tell a result that was read from one left unread. */
  private readonly served = new Map<string, Array<{ start: number; end: number }>>();

  constructor(options: ResultFilesOptions) {
    this.dir = options.dir;
    this.baseUrl = options.baseUrl;
    this.now = options.now;
  }

  /** The bulk query each file answers, so a download's faults can wait for onlyQuery's. */
  private readonly queries = new Map<string, string>();

  /** A fresh object key (Shopify's are 28 hex characters) for a file answering `query`. */
  newKey(query: string): string {
    const key = randomBytes(14).toString('hex');
    this.queries.set(key, query);
    return key;
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}.jsonl`);
  }

  private signature(key: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`GET\n${key}\n${expires}`).digest('base64');
  }

  /** The signed download URL, shaped like Shopify's GCS URLs (Expires in unix seconds). */
  signedUrl(key: string, operationNumber: string, expiresAtMs: number): string {
    const expires = Math.floor(expiresAtMs / 1000);
    const filename = `bulk-${operationNumber}.jsonl`;
    const query = new URLSearchParams({
      Expires: String(expires),
      Signature: this.signature(key, expires),
      'response-content-disposition': `attachment; filename="${filename}"; filename*=UTF-8''${filename}`,
      'response-content-type': 'application/jsonl',
    });
    return `${this.baseUrl()}${RESULTS_PATH}${key}.jsonl?${query.toString()}`;
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
    this.queries.delete(key);
  }

  /** Answers GET/HEAD on a result URL; returns the status sent. */
  async serve(req: IncomingMessage, res: ServerResponse, url: URL, faults: FaultController): Promise<number> {
    const key = /^\/bulk-results\/([0-9a-f]+)\.jsonl$/.exec(url.pathname)?.[1];
    const expires = Number(url.searchParams.get('Expires'));
    const given = Buffer.from(url.searchParams.get('Signature') ?? '', 'base64');
    if (!key) {
      gcsError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return 404;
    }
    const wanted = Buffer.from(this.signature(key, expires), 'base64');
    if (!Number.isFinite(expires) || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      gcsError(res, 403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.');
      return 403;
    }
    if (this.now() / 1000 > expires) {
      gcsError(res, 400, 'ExpiredToken', 'The provided token has expired.', `Request signature expired at: ${new Date(expires * 1000).toISOString()}`);
      return 400;
    }
    const path = this.pathOf(key);
    const size = await stat(path).then((s) => s.size, () => null);
    if (size === null) {
      gcsError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      return 404;
    }
    const headers: Record<string, string | number> = {
      'Content-Type': url.searchParams.get('response-content-type') ?? 'application/jsonl',
      'Content-Disposition': url.searchParams.get('response-content-disposition') ?? 'attachment',
      'Accept-Ranges': 'bytes',
      ETag: `"${key}"`,
    };
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${size}`);
      gcsError(res, 416, 'InvalidRange', 'The requested range cannot be satisfied.', `bytes=${req.headers.range ?? ''}`);
      return 416;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const status = range ? 206 : 200;
    res.writeHead(status, { ...headers, 'Content-Length': end - start + 1, ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}) });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return status;
    }
    if (faults.consume('cutDownloads', this.queries.get(key) ?? '')) {
      const cutEnd = Math.min(end, start + faults.current().cutAfterBytes - 1);
      // Headers promise the whole range; the connection dies after K bytes (none at 0), as a reset would.
      if (cutEnd >= start) {
        await sendBytes(path, start, cutEnd, res);
        this.recordServed(key, start, cutEnd);
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 10));
      res.socket?.destroy();
      return status;
    }
    // Recorded just before the last bytes go to the socket: a client that holds every byte must find
    // the range recorded (recording once the response ends races with the client's own end of the body).
    await sendBytes(path, start, end, res, () => this.recordServed(key, start, end));
    res.end();
    return status;
  }

  private recordServed(key: string, start: number, end: number): void {
    this.served.set(key, [...(this.served.get(key) ?? []), { start, end }]);
  }

  /** True once every byte of the file was sent, over one response or several ranged ones. */
  servedWhole(key: string, size: number): boolean {
    let next = 0;
    for (const r of [...(this.served.get(key) ?? [])].sort((a, b) => a.start - b.start)) {
      if (r.start > next) return false;
      next = Math.max(next, r.end + 1);
    }
    return next >= size;
  }

  /**
   * Rewrites a file line by line (streamed, never whole in memory): `edit` returns the new line, or
   * null to drop it. Returns what the new file holds.
   */
  async rewrite(key: string, edit: (line: string, index: number) => string | null): Promise<LineStats> {
    const path = this.pathOf(key);
    const tmp = `${path}.tmp`;
    const stats = await copyLines(path, tmp, edit);
    await rename(tmp, path);
    return stats;
  }

  /** Copies the first `keep` lines of one result into a new key (the partial data of a failed operation). */
  async copyHead(fromKey: string, toKey: string, keep: number): Promise<LineStats> {
    return copyLines(this.pathOf(fromKey), this.pathOf(toKey), (line, index) => (index < keep ? line : null));
  }
}

/** Bytes per read of a result file, and per write to the socket. */
const SEND_CHUNK_BYTES = 1024 * 1024;

/**
 * Writes bytes `start`..`end` (inclusive) of the file at `path` to `res`, through two buffers taken in
 * turn: one is read into while the other's bytes go out, and a buffer is read into again only once
 * the socket is done with it. The sandbox shares the machine with the ETL it serves (npm run bench),
 * so it should cost little: a read stream allocates a fresh buffer per read, and those buffers, V8's
 * external memory, made V8 run a full collection of this process's heap every ~20 MB sent, which cost
 * more CPU than the reads and writes themselves. `beforeLast` runs just before the last bytes are written.
 */
async function sendBytes(path: string, start: number, end: number, res: ServerResponse, beforeLast?: () => void): Promise<void> {
  const file = await open(path, 'r');
  // A write made while the client's socket is being torn down never gets its callback (Node drops it):
  // each wait is raced with the response's close.
  let onClose = (): void => undefined;
  const closed = new Promise<never>((_, reject) => {
    onClose = () => reject(new Error('the client closed the connection'));
    res.once('close', onClose);
  });
  closed.catch(() => undefined);
  try {
    const size = Math.min(SEND_CHUNK_BYTES, end + 1 - start);
    const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
    const sent: Array<Promise<void>> = [Promise.resolve(), Promise.resolve()];
    for (let at = start, i = 0; at <= end; i = 1 - i) {
      await Promise.race([sent[i], closed]);
      const buffer = buffers[i]!;
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, end + 1 - at), at);
      if (bytesRead === 0) throw new Error(`${path} ended at byte ${at}, before byte ${end}`);
      at += bytesRead;
      if (at > end) beforeLast?.();
      sent[i] = new Promise((resolve, reject) => res.write(buffer.subarray(0, bytesRead), (err) => (err ? reject(err) : resolve())));
      sent[i]!.catch(() => undefined);
    }
    await Promise.race([Promise.all(sent), closed]);
  } finally {
    res.off('close', onClose);
    await file.close();
  }
}

async function copyLines(from: string, to: string, edit: (line: string, index: number) => string | null): Promise<LineStats> {
  const out = createWriteStream(to);
  const stats: LineStats = { lines: 0, rootLines: 0, bytes: 0 };
  let index = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(from), crlfDelay: Infinity })) {
      const kept = edit(line, index++);
      if (kept === null) continue;
      const text = `${kept}\n`;
      stats.lines += 1;
      if (!kept.includes('"__parentId"')) stats.rootLines += 1;
      stats.bytes += Buffer.byteLength(text);
      if (!out.write(text)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return stats;
}
