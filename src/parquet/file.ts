// A Parquet part file assembled on the main thread from the pages workers encoded (encode.ts), the way
// a gzip part is assembled from deflated segments: a batch's page of a column is appended as is. A
// column chunk must be contiguous, so pages wait in memory until their row group closes (at
// ROW_GROUP_BYTES of compressed pages: the memory a table's open part holds), then the row group is
// written column by column. The footer (FileMetaData) lists the row groups; the CRC32C and byte count
// are taken over the bytes as they are written, so nothing is read back.
import type { FileHandle } from 'node:fs/promises';
import { crc32c } from '../io/crc.ts';
import type { PageSet } from './encode.ts';
import { schemaElements, type ParquetSchema } from './schema.ts';
import { ThriftWriter } from './thrift.ts';

export const ROW_GROUP_BYTES = 2 * 1024 * 1024;
const MAGIC = Buffer.from('PAR1');
const CODEC_ZSTD = 6;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const CREATED_BY = 'shopify-bulk-etl';

interface ColumnChunkMeta {
  offset: number;
  compressed: number;
  uncompressed: number;
  values: number;
}

interface RowGroupMeta {
  rows: number;
  columns: ColumnChunkMeta[];
}

export class ParquetFileWriter {
  readonly #handle: FileHandle;
  readonly #schema: ParquetSchema;
  readonly #rowGroupBytes: number;
  readonly #rowGroups: RowGroupMeta[] = [];
  #pending: Array<{ bytes: Uint8Array; index: PageSet; rows: number }> = [];
  #pendingBytes = 0;
  /** Bytes written so far and their CRC32C. */
  bytes = 0;
  crc32c = 0;

  constructor(handle: FileHandle, schema: ParquetSchema, rowGroupBytes = ROW_GROUP_BYTES) {
    this.#handle = handle;
    this.#schema = schema;
    this.#rowGroupBytes = rowGroupBytes;
  }

  async start(): Promise<void> {
    await this.#append(MAGIC);
  }

  async add(bytes: Uint8Array, index: PageSet, rows: number): Promise<void> {
    this.#pending.push({ bytes, index, rows });
    this.#pendingBytes += bytes.length;
    if (this.#pendingBytes >= this.#rowGroupBytes) await this.#flushRowGroup();
  }

  async #append(bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length; ) off += (await this.#handle.write(bytes, off)).bytesWritten;
    this.crc32c = crc32c(bytes, this.crc32c);
    this.bytes += bytes.length;
  }

  async #flushRowGroup(): Promise<void> {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    this.#pendingBytes = 0;
    const out = Buffer.allocUnsafe(pending.reduce((n, p) => n + p.bytes.length, 0));
    const columns: ColumnChunkMeta[] = [];
    let at = 0;
    for (let leaf = 0; leaf < this.#schema.leaves.length; leaf++) {
      const chunk: ColumnChunkMeta = { offset: this.bytes + at, compressed: 0, uncompressed: 0, values: 0 };
      for (const p of pending) {
        const page = p.bytes.subarray(p.index.offsets[leaf]!, p.index.offsets[leaf + 1]!);
        out.set(page, at);
        at += page.length;
        chunk.compressed += page.length;
        chunk.uncompressed += p.index.uncompressed[leaf]!;
        chunk.values += p.index.values[leaf]!;
      }
      columns.push(chunk);
    }
    this.#rowGroups.push({ rows: pending.reduce((n, p) => n + p.rows, 0), columns });
    await this.#append(out);
  }

  /** Writes the last row group and the footer. */
  async finish(): Promise<void> {
    await this.#flushRowGroup();
    const leaves = this.#schema.leaves;
    const footer = ThriftWriter.struct((w) => {
      w.i32(1, 1)
        .list(2, { type: 'struct', values: schemaElements(this.#schema) })
        .i64(3, this.#rowGroups.reduce((n, g) => n + g.rows, 0))
        .list(4, {
          type: 'struct',
          values: this.#rowGroups.map((g) => (rg: ThriftWriter) => {
            rg.list(1, {
              type: 'struct',
              values: g.columns.map((c, i) => (cc: ThriftWriter) => {
                cc.i64(2, c.offset).struct(3, (m) =>
                  m
                    .i32(1, leaves[i]!.physical)
                    .list(2, { type: 'i32', values: [ENCODING_PLAIN, ENCODING_RLE] })
                    .list(3, { type: 'string', values: leaves[i]!.path })
                    .i32(4, CODEC_ZSTD)
                    .i64(5, c.values)
                    .i64(6, c.uncompressed)
                    .i64(7, c.compressed)
                    .i64(9, c.offset),
                );
              }),
            })
              .i64(2, g.columns.reduce((n, c) => n + c.uncompressed, 0))
              .i64(3, g.rows)
              .i64(5, g.columns[0]?.offset ?? 0)
              .i64(6, g.columns.reduce((n, c) => n + c.compressed, 0));
          }),
        })
        .string(6, CREATED_BY);
    });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(footer.length);
    await this.#append(Buffer.concat([footer, length, MAGIC]));
  }
}
