// Resumable upload sessions as GCS runs them: a POST opens a session URI; PUTs carry
// `Content-Range: bytes a-b/total` chunks (308 + `Range` until complete), `bytes a-*/total`
// single-request bodies, or `bytes */total` status queries. A cut connection keeps what arrived,
// rounded down to 256 KiB, so the client has to ask where to resume.
import { randomUUID } from 'node:crypto';
import { crc32cOf, GcsHttpError, md5Of } from './store.ts';
import type { FakeObject, ObjectStore, Preconditions, WriteMetadata } from './store.ts';

const PERSIST_UNIT = 256 * 1024;

interface Session {
  bucket: string;
  name: string;
  meta: WriteMetadata;
  pre: Preconditions;
  chunks: Buffer[];
  length: number;
  total: number | undefined;
  result: FakeObject | undefined;
}

export type PutOutcome = { status: 200; object: FakeObject } | { status: 308; persisted: number };

interface ParsedRange {
  start: number | undefined; // undefined: a status query (`bytes */total`)
  end: number | '*' | undefined;
  total: number | undefined; // undefined: `*`, not known yet
}

function parseContentRange(header: string): ParsedRange {
  const m = /^bytes (?:\*|(\d+)-(\d+|\*))\/(\*|\d+)$/.exec(header.trim());
  if (!m) throw new GcsHttpError(400, 'invalid', `Invalid Content-Range: ${header}`);
  const [, start, end, total] = m;
  return {
    start: start === undefined ? undefined : Number(start),
    end: end === undefined ? undefined : end === '*' ? '*' : Number(end),
    total: total === '*' ? undefined : Number(total),
  };
}

export class ResumableSessions {
  readonly #store: ObjectStore;
  readonly #sessions = new Map<string, Session>();

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  /** Opens a session; preconditions are checked now and again when the upload completes. */
  start(bucket: string, name: string, meta: WriteMetadata, pre: Preconditions): string {
    if (!name) throw new GcsHttpError(400, 'required', 'Required');
    this.#store.checkWrite(bucket, name, pre);
    const id = randomUUID();
    this.#sessions.set(id, { bucket, name, meta, pre, chunks: [], length: 0, total: undefined, result: undefined });
    return id;
  }

  has(id: string): boolean {
    return this.#sessions.has(id);
  }

  put(id: string, contentRange: string | undefined, body: Buffer, declared: { crc32c?: string; md5Hash?: string }): PutOutcome {
    const session = this.#get(id);
    if (session.result) return { status: 200, object: session.result };
    if (contentRange === undefined) {
      this.#append(session, 0, body);
      session.total = session.length;
    } else {
      const range = parseContentRange(contentRange);
      if (range.start !== undefined) {
        if (range.start > session.length) {
          throw new GcsHttpError(400, 'invalid', `Content-Range starts at ${range.start} but only ${session.length} bytes were received`);
        }
        if (typeof range.end === 'number' && body.length !== range.end - range.start + 1) {
          throw new GcsHttpError(400, 'invalid', `Content-Range ${contentRange} does not match a body of ${body.length} bytes`);
        }
        this.#append(session, range.start, body);
        if (range.total === undefined && range.end === '*') session.total = session.length;
      }
      if (range.total !== undefined) session.total = range.total;
    }
    if (session.total === undefined || session.length < session.total) return { status: 308, persisted: session.length };
    return { status: 200, object: this.#finalize(id, session, declared) };
  }

  /** After a cut connection: keep the bytes that arrived, in whole 256 KiB units. */
  keepPartial(id: string, contentRange: string | undefined, partial: Buffer): void {
    const session = this.#sessions.get(id);
    if (!session || session.result) return;
    const start = contentRange ? (parseContentRange(contentRange).start ?? session.length) : 0;
    const kept = Math.floor((start + partial.length) / PERSIST_UNIT) * PERSIST_UNIT - start;
    if (kept > 0) this.#append(session, start, partial.subarray(0, kept));
  }

  #get(id: string): Session {
    const session = this.#sessions.get(id);
    if (!session) throw new GcsHttpError(404, 'notFound', 'No such upload session');
    return session;
  }

  #append(session: Session, start: number, body: Buffer): void {
    // Bytes the server already holds are ignored, as GCS does when a client re-sends overlap.
    const fresh = body.subarray(Math.max(0, session.length - start));
    if (start > session.length || fresh.length === 0) return;
    session.chunks.push(fresh);
    session.length += fresh.length;
  }

  #finalize(id: string, session: Session, declared: { crc32c?: string; md5Hash?: string }): FakeObject {
    if (session.length !== session.total) {
      this.#sessions.delete(id);
      throw new GcsHttpError(400, 'invalid', `Received ${session.length} bytes for an upload declared as ${session.total}`);
    }
    const bytes = Buffer.concat(session.chunks);
    try {
      if (declared.crc32c !== undefined && declared.crc32c !== crc32cOf(bytes)) {
        throw new GcsHttpError(400, 'invalid', `X-Goog-Hash crc32c ${declared.crc32c} does not match the uploaded data`);
      }
      if (declared.md5Hash !== undefined && declared.md5Hash !== md5Of(bytes)) {
        throw new GcsHttpError(400, 'invalid', `X-Goog-Hash md5 ${declared.md5Hash} does not match the uploaded data`);
      }
      session.result = this.#store.write(session.bucket, session.name, bytes, session.meta, session.pre);
      return session.result;
    } catch (err) {
      this.#sessions.delete(id);
      throw err;
    }
  }
}
