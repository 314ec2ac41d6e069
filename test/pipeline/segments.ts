// Test helpers for the segment form rows travel in: make a segment from rows, and a sink that keeps
// every table's rows in memory, read back from the segments it receives.
import { constants, inflateRawSync } from 'node:zlib';
import type { Row } from '../../src/rows/types.ts';
import { encodeSegment, type Segment } from '../../src/pipeline/segment.ts';

export function segmentOf(rows: Row[], level = 1): Segment {
  return encodeSegment(Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join('')), rows.length, level);
}

export function rowsOfSegment(segment: Segment): Row[] {
  const text = inflateRawSync(segment.bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Row);
}

export interface MemorySegments {
  /** Rows per table, in the order they arrived. */
  tables: Record<string, Row[]>;
  /** Every row with its table, in arrival order. */
  rows: Array<[string, Row]>;
  write(table: string, segment: Segment): void;
}

export function memorySegments(): MemorySegments {
  const sink: MemorySegments = {
    tables: {},
    rows: [],
    write(table, segment) {
      for (const row of rowsOfSegment(segment)) {
        (sink.tables[table] ??= []).push(row);
        sink.rows.push([table, row]);
      }
    },
  };
  return sink;
}
