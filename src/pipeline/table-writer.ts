// Rows → NDJSON → gzip → part files in the staging folder, one open part per table, rolled by size.
// CRC32C (GCS's encoding), byte and row counts are computed over the bytes as they are written, so
// nothing is read back. A part counts as written only once its bytes are fsynced and the file is
// closed; only then is it reported (onFileClosed) and listed by close().
import { CRC32C } from '@google-cloud/storage';
import { once } from 'node:events';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import { EtlError, ErrorCodes, fromSystemError } from '../errors.ts';
import type { Row } from '../entities/types.ts';
import type { StagedFile } from '../load/destination.ts';
import type { RowSink } from './process.ts';

export interface TableWritersOptions {
  stagingDir: string;
  /** Name under the destination root, also the file's path under stagingDir. */
  objectName: (table: string, part: number) => string;
  /** First part number of a table (default 0), so a resumed run does not reuse numbers already recorded. */
  firstPart?: (table: string) => number;
  /** A part is closed once this many uncompressed bytes went in (default 128 MiB). */
  maxPartBytes?: number;
  gzipLevel?: number;
  /** Awaited for each part once it is durably closed (e.g. to record it in the outbox). */
  onFileClosed?: (file: StagedFile) => Promise<void> | void;
}

const DEFAULT_MAX_PART_BYTES = 128 * 1024 * 1024;
// Rows are joined into strings of about this size before gzip sees them: one zlib call per row
// would cost more than the compression itself.
const BATCH_CHARS = 64 * 1024;
export const PART_CONTENT_TYPE = 'application/gzip';

const aborted = (): EtlError => new EtlError(ErrorCodes.INTERRUPTED, 'table writer aborted');

/** One open part file: gzip → (crc32c, byte count) → file. */
class Part {
  readonly path: string;
  readonly objectName: string;
  rows = 0;
  uncompressed = 0;
  #bytes = 0;
  readonly #crc = new CRC32C();
  readonly #gzip: Gzip;
  readonly #handle: FileHandle;
  readonly #done: Promise<void>;

  static async open(path: string, objectName: string, level: number): Promise<Part> {
    await mkdir(dirname(path), { recursive: true });
    // 'w': a leftover of a crashed attempt under the same name was never reported, so it is replaced.
    return new Part(path, objectName, level, await open(path, 'w'));
  }

  private constructor(path: string, objectName: string, level: number, handle: FileHandle) {
    this.path = path;
    this.objectName = objectName;
    this.#handle = handle;
    this.#gzip = createGzip({ level });
    this.#done = pipeline(this.#gzip, async (compressed: AsyncIterable<Buffer>) => {
      for await (const chunk of compressed) {
        this.#crc.update(chunk);
        this.#bytes += chunk.length;
        for (let off = 0; off < chunk.length; ) off += (await handle.write(chunk, off)).bytesWritten;
      }
    });
    this.#done.catch(() => {}); // observed by write(), finish() and discard()
  }

  async write(text: string, rows: number): Promise<void> {
    this.rows += rows;
    this.uncompressed += Buffer.byteLength(text);
    if (!this.#gzip.write(text)) await Promise.race([once(this.#gzip, 'drain'), this.#done]);
  }

  async finish(): Promise<StagedFile> {
    this.#gzip.end();
    try {
      await this.#done;
      await this.#handle.sync();
    } finally {
      await this.#handle.close();
    }
    await syncDir(dirname(this.path));
    return { localPath: this.path, objectName: this.objectName, crc32c: this.#crc.toString(), bytes: this.#bytes, rows: this.rows, contentType: PART_CONTENT_TYPE };
  }

  async discard(): Promise<void> {
    this.#gzip.destroy();
    await this.#done.catch(() => {});
    await this.#handle.close().catch(() => {});
    await rm(this.path, { force: true });
  }
}

/** Makes the new file's directory entry durable too (a crash after close could otherwise lose it). */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

class TableWriter {
  readonly files: StagedFile[] = [];
  readonly #table: string;
  readonly #options: TableWritersOptions;
  readonly #maxPartBytes: number;
  readonly #batchChars: number;
  #partNo: number;
  #buffer = '';
  #bufferedRows = 0;
  #part: Part | null = null;
  // Batches are written one after another even if a caller does not wait for write()'s promise.
  #chain: Promise<void> = Promise.resolve();
  #aborted = false;

  constructor(table: string, options: TableWritersOptions) {
    this.#table = table;
    this.#options = options;
    this.#maxPartBytes = options.maxPartBytes ?? DEFAULT_MAX_PART_BYTES;
    this.#batchChars = Math.min(BATCH_CHARS, this.#maxPartBytes);
    this.#partNo = options.firstPart?.(table) ?? 0;
  }

  write(row: Row): Promise<void> | void {
    this.#buffer += `${JSON.stringify(row)}\n`;
    this.#bufferedRows++;
    if (this.#buffer.length >= this.#batchChars) return this.#flush();
  }

  #flush(): Promise<void> {
    const text = this.#buffer;
    const rows = this.#bufferedRows;
    this.#buffer = '';
    this.#bufferedRows = 0;
    this.#chain = this.#chain.then(() => this.#writeBatch(text, rows));
    return this.#chain;
  }

  async #writeBatch(text: string, rows: number): Promise<void> {
    if (this.#aborted) throw aborted();
    let part = this.#part;
    try {
      if (part === null) {
        part = await Part.open(this.#localPath(), this.#objectName(), this.#options.gzipLevel ?? 6);
        if (this.#aborted) {
          await part.discard();
          throw aborted();
        }
        this.#part = part;
      }
      await part.write(text, rows);
    } catch (err) {
      throw this.#aborted ? aborted() : fromSystemError(err, `writing ${part?.path ?? this.#localPath()}`);
    }
    if (part.uncompressed >= this.#maxPartBytes) await this.#closePart(part);
  }

  async #closePart(part: Part): Promise<void> {
    let file: StagedFile;
    try {
      file = await part.finish();
    } catch (err) {
      throw fromSystemError(err, `closing ${part.path}`);
    }
    this.#part = null;
    this.#partNo++;
    this.files.push(file);
    await this.#options.onFileClosed?.(file);
  }

  #objectName(): string {
    return this.#options.objectName(this.#table, this.#partNo);
  }

  #localPath(): string {
    const root = resolve(this.#options.stagingDir);
    const path = resolve(root, this.#objectName());
    const rel = relative(root, path);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new EtlError(ErrorCodes.INTERNAL, `object name ${this.#objectName()} escapes the staging folder`);
    return path;
  }

  async close(): Promise<void> {
    if (this.#bufferedRows > 0) void this.#flush();
    await this.#chain;
    if (this.#part) await this.#closePart(this.#part);
  }

  async abort(): Promise<void> {
    this.#aborted = true;
    this.#buffer = '';
    this.#bufferedRows = 0;
    const part = this.#part;
    this.#part = null;
    if (part) await part.discard();
    await this.#chain.catch(() => {});
  }
}

export class TableWriters implements RowSink {
  readonly #options: TableWritersOptions;
  readonly #tables = new Map<string, TableWriter>();
  #state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(options: TableWritersOptions) {
    this.#options = options;
  }

  /** Returns a promise when the caller must wait (gzip or disk is behind, or a part is rolling). */
  write(table: string, row: Row): Promise<void> | void {
    if (this.#state !== 'open') throw new EtlError(ErrorCodes.INTERNAL, `write to ${table} after the writers were ${this.#state}`);
    let writer = this.#tables.get(table);
    if (!writer) {
      writer = new TableWriter(table, this.#options);
      this.#tables.set(table, writer);
    }
    return writer.write(row);
  }

  /** Flushes and closes every open part; returns every file written, rolled ones included. Tables without rows make no file. */
  async close(): Promise<StagedFile[]> {
    if (this.#state !== 'open') throw new EtlError(ErrorCodes.INTERNAL, `close after the writers were ${this.#state}`);
    this.#state = 'closed';
    const results = await Promise.allSettled([...this.#tables.values()].map((w) => w.close()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return [...this.#tables.values()].flatMap((w) => w.files);
  }

  /** Discards the parts still open (their files are deleted); parts already closed were reported and stay. */
  async abort(): Promise<void> {
    this.#state = 'aborted';
    await Promise.all([...this.#tables.values()].map((w) => w.abort()));
  }
}
