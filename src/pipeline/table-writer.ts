// Compressed segments (segment.ts) → part files in the staging folder, one open part per table,
// rolled by size. A part is a gzip header, the table's segments in order, and a trailer; its CRC32C
// (GCS's encoding), byte and row counts are combined from the segments' own, so nothing is read back.
// A part counts as written only once its bytes are fsynced and the file is closed; only then does
// takeClosed() hand it out (the caller records and uploads it while writing goes on) and close() list it.
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { EtlError, ErrorCodes, fromSystemError } from '../errors/index.ts';
import type { StagedFile } from '../load/destination.ts';
import { partContentType } from '../load/layout.ts';
import { ParquetFileWriter } from '../parquet/file.ts';
import type { ParquetSchema } from '../parquet/schema.ts';
import type { SegmentSink } from './process.ts';
import { crc32cBase64 } from '../io/crc.ts';
import { syncDir } from '../io/durable.ts';
import { GZIP_HEADER, gzipEnd, PartChecksums, type Segment } from './segment.ts';

export interface TableWritersOptions {
  stagingDir: string;
  /** Name under the destination root, also the file's path under stagingDir. */
  objectName: (table: string, part: number) => string;
  /** First part number of a table (default 0), so a resumed run does not reuse numbers already recorded. */
  firstPart?: (table: string) => number;
  /** A part is closed once this many uncompressed bytes went in (default 128 MiB), checked after each segment. */
  maxPartBytes?: number;
  /**
   * Tables that get a part even when no row was written to them: an empty gzip member (header, final
   * block, trailer), or a Parquet file without row groups, listed with 0 rows. A snapshot's tables: the run that read none of a table's records
   * must still say so, or its current state would stay the previous run's rows.
   */
  everyTable?: readonly string[];
  /** Parts are Parquet files of the table's schema (segments of Parquet pages); absent: gzip NDJSON. */
  parquet?: (table: string) => ParquetSchema;
}

const DEFAULT_MAX_PART_BYTES = 128 * 1024 * 1024;

const aborted = (): EtlError => new EtlError(ErrorCodes.INTERRUPTED, 'table writer aborted');

/** An open part file, gzip NDJSON or Parquet. */
interface OpenPart {
  readonly path: string;
  readonly rows: number;
  /** Uncompressed bytes so far: the part rolls past maxPartBytes. */
  readonly uncompressed: number;
  write(segment: Segment): Promise<void>;
  finish(): Promise<StagedFile>;
  discard(): Promise<void>;
}

// A gzip part's bytes are gathered up to this much before one write: a batch's segment of a small
// table is a few hundred bytes to a few KB, and a write per segment cost the thread that feeds the
// workers more than the bytes did. Nothing counts as written before the part's fsync anyway.
const GATHER_BYTES = 256 * 1024;
const GATHER_PIECES = 256;

/** One open gzip part file: header, segments, trailer. */
class Part implements OpenPart {
  readonly path: string;
  readonly objectName: string;
  rows = 0;
  readonly #sums = new PartChecksums();
  readonly #handle: FileHandle;
  /** Bytes not written yet, in order. */
  #gathered: Uint8Array[] = [GZIP_HEADER];
  #gatheredBytes = GZIP_HEADER.length;

  static async open(path: string, objectName: string): Promise<Part> {
    await mkdir(dirname(path), { recursive: true });
    // 'w': a leftover of a crashed attempt under the same name was never reported, so it is replaced.
    return new Part(path, objectName, await open(path, 'w'));
  }

  private constructor(path: string, objectName: string, handle: FileHandle) {
    this.path = path;
    this.objectName = objectName;
    this.#handle = handle;
  }

  get uncompressed(): number {
    return this.#sums.textBytes;
  }

  async write(segment: Segment): Promise<void> {
    this.#gathered.push(segment.bytes);
    this.#gatheredBytes += segment.bytes.length;
    this.#sums.add(segment);
    this.rows += segment.rows;
    if (this.#gatheredBytes >= GATHER_BYTES || this.#gathered.length >= GATHER_PIECES) await this.#writeGathered();
  }

  /** Writes the gathered bytes with one writev (more calls only if one writes less than all). */
  async #writeGathered(): Promise<void> {
    let rest = this.#gathered;
    this.#gathered = [];
    this.#gatheredBytes = 0;
    while (rest.length > 0) {
      let written = (await this.#handle.writev(rest)).bytesWritten;
      const next: Uint8Array[] = [];
      for (const piece of rest) {
        if (written >= piece.length) written -= piece.length;
        else {
          next.push(piece.subarray(written));
          written = 0;
        }
      }
      rest = next;
    }
  }

  async finish(): Promise<StagedFile> {
    const end = gzipEnd(this.#sums.textCrc32, this.#sums.textBytes);
    try {
      this.#gathered.push(end);
      this.#sums.addEnd(end);
      await this.#writeGathered();
      await this.#handle.sync();
    } finally {
      await this.#handle.close();
    }
    await syncDir(dirname(this.path));
    return { localPath: this.path, objectName: this.objectName, crc32c: crc32cBase64(this.#sums.fileCrc32c), bytes: this.#sums.fileBytes, rows: this.rows, contentType: partContentType(this.objectName) };
  }

  async discard(): Promise<void> {
    await this.#handle.close().catch(() => {});
    await rm(this.path, { force: true });
  }
}

/** One open Parquet part file: row groups of the segments' pages, then the footer (parquet/file.ts). */
class ParquetPart implements OpenPart {
  readonly path: string;
  readonly objectName: string;
  rows = 0;
  uncompressed = 0;
  readonly #handle: FileHandle;
  readonly #file: ParquetFileWriter;

  static async open(path: string, objectName: string, schema: ParquetSchema): Promise<ParquetPart> {
    await mkdir(dirname(path), { recursive: true });
    const part = new ParquetPart(path, objectName, await open(path, 'w'), schema);
    await part.#file.start();
    return part;
  }

  private constructor(path: string, objectName: string, handle: FileHandle, schema: ParquetSchema) {
    this.path = path;
    this.objectName = objectName;
    this.#handle = handle;
    this.#file = new ParquetFileWriter(handle, schema);
  }

  async write(segment: Segment): Promise<void> {
    if (!segment.pages) throw new EtlError(ErrorCodes.INTERNAL, `${this.objectName}: a gzip segment for a Parquet part`);
    await this.#file.add(segment.bytes, segment.pages, segment.rows);
    this.rows += segment.rows;
    this.uncompressed += segment.textBytes;
  }

  async finish(): Promise<StagedFile> {
    try {
      await this.#file.finish();
      await this.#handle.sync();
    } finally {
      await this.#handle.close();
    }
    await syncDir(dirname(this.path));
    return { localPath: this.path, objectName: this.objectName, crc32c: crc32cBase64(this.#file.crc32c), bytes: this.#file.bytes, rows: this.rows, contentType: partContentType(this.objectName) };
  }

  async discard(): Promise<void> {
    await this.#handle.close().catch(() => {});
    await rm(this.path, { force: true });
  }
}

class TableWriter {
  readonly files: StagedFile[] = [];
  readonly #table: string;
  readonly #options: TableWritersOptions;
  /** Closed parts not yet taken, shared by the tables of one TableWriters. */
  readonly #untaken: StagedFile[];
  readonly #maxPartBytes: number;
  #partNo: number;
  #part: OpenPart | null = null;
  // Segments are written one after another even if a caller does not wait for write()'s promise.
  #chain: Promise<void> = Promise.resolve();
  #aborted = false;

  constructor(table: string, options: TableWritersOptions, untaken: StagedFile[]) {
    this.#table = table;
    this.#options = options;
    this.#untaken = untaken;
    this.#maxPartBytes = options.maxPartBytes ?? DEFAULT_MAX_PART_BYTES;
    this.#partNo = options.firstPart?.(table) ?? 0;
  }

  write(segment: Segment): Promise<void> {
    this.#chain = this.#chain.then(() => this.#writeSegment(segment));
    return this.#chain;
  }

  async #writeSegment(segment: Segment): Promise<void> {
    if (this.#aborted) throw aborted();
    let part = this.#part;
    try {
      if (part === null) {
        part = await this.#open();
        if (this.#aborted) {
          await part.discard();
          throw aborted();
        }
        this.#part = part;
      }
      await part.write(segment);
    } catch (err) {
      throw this.#aborted ? aborted() : fromSystemError(err, `writing ${part?.path ?? this.#localPath()}`);
    }
    if (part.uncompressed >= this.#maxPartBytes) await this.#closePart(part);
  }

  #open(): Promise<OpenPart> {
    const schema = this.#options.parquet?.(this.#table);
    return schema ? ParquetPart.open(this.#localPath(), this.#objectName(), schema) : Part.open(this.#localPath(), this.#objectName());
  }

  async #closePart(part: OpenPart): Promise<void> {
    let file: StagedFile;
    try {
      file = await part.finish();
    } catch (err) {
      throw fromSystemError(err, `closing ${part.path}`);
    }
    this.#part = null;
    this.#partNo++;
    this.files.push(file);
    this.#untaken.push(file);
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

  /** `empty`: a table that gets a part without rows, when none was written. */
  async close(empty: boolean): Promise<void> {
    await this.#chain;
    if (!this.#part && empty && this.files.length === 0) {
      try {
        this.#part = await this.#open();
      } catch (err) {
        throw fromSystemError(err, `writing ${this.#localPath()}`);
      }
    }
    if (this.#part) await this.#closePart(this.#part);
  }

  async abort(): Promise<void> {
    this.#aborted = true;
    const part = this.#part;
    this.#part = null;
    if (part) await part.discard();
    await this.#chain.catch(() => {});
  }
}

export class TableWriters implements SegmentSink {
  readonly #options: TableWritersOptions;
  readonly #tables = new Map<string, TableWriter>();
  #untaken: StagedFile[] = [];
  #state: 'open' | 'closed' | 'aborted' = 'open';

  constructor(options: TableWritersOptions) {
    this.#options = options;
  }

  /** Returns a promise when the caller must wait (gzip or disk is behind, or a part is rolling). */
  write(table: string, segment: Segment): Promise<void> {
    if (this.#state !== 'open') throw new EtlError(ErrorCodes.INTERNAL, `write to ${table} after the writers were ${this.#state}`);
    let writer = this.#tables.get(table);
    if (!writer) {
      writer = new TableWriter(table, this.#options, this.#untaken);
      this.#tables.set(table, writer);
    }
    return writer.write(segment);
  }

  /**
   * Flushes and closes every open part; returns every file written, rolled ones included. A table
   * without rows makes no file, unless it is one of `everyTable` (an empty part).
   */
  async close(): Promise<StagedFile[]> {
    if (this.#state !== 'open') throw new EtlError(ErrorCodes.INTERNAL, `close after the writers were ${this.#state}`);
    this.#state = 'closed';
    const every = new Set(this.#options.everyTable);
    for (const table of every) if (!this.#tables.has(table)) this.#tables.set(table, new TableWriter(table, this.#options, this.#untaken));
    const closedBefore = this.#untaken.length;
    const results = await Promise.allSettled([...this.#tables.entries()].map(([table, w]) => w.close(every.has(table))));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    const files = [...this.#tables.values()].flatMap((w) => w.files);
    // The last parts close at once, finishing in whatever order their gzip and disk allow: handed out
    // in table order, so that what lists them (a manifest) is the same from one run to the next.
    const last = new Set(this.#untaken.splice(closedBefore));
    this.#untaken.push(...files.filter((f) => last.has(f)));
    return files;
  }

  /** The parts closed since the last call, in the order they closed (those close() closes, in table order): each is durable and final. */
  takeClosed(): StagedFile[] {
    return this.#untaken.splice(0);
  }

  /** Discards the parts still open and those closed but never taken (their files are deleted); parts taken stay. */
  async abort(): Promise<void> {
    this.#state = 'aborted';
    await Promise.all([...this.#tables.values()].map((w) => w.abort()));
    await Promise.all(this.takeClosed().map((f) => rm(f.localPath, { force: true })));
  }
}
