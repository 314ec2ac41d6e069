// JSONL lines → entity processor → table writers. One record at a time: the rows a record makes are
// written (awaiting the writers' backpressure) before the next line is read, and no state is kept
// across records except counters, so memory stays flat however big the file is.
import { EtlError, ErrorCodes, isEtlError } from '../errors.ts';
import type { Emit, Entity, JsonObject, Row } from '../entities/types.ts';
import type { NumberedLines } from './lines.ts';

export interface RunMeta {
  /** The shop's myshopify domain, stamped on every row as `_shop`. */
  shop: string;
  runId: string;
  extractedAt: Date | string;
}

export interface ProcessResult {
  /** Non-empty lines read (compare with the bulk operation's objectCount); 1 for a plain entity. */
  lines: number;
  /** Lines without __parentId (compare with rootObjectCount). */
  rootLines: number;
  rowsByTable: Record<string, number>;
  /** Highest cursor field (updatedAt) among root records, as Shopify wrote it; null if none or not incremental. */
  maxCursor: string | null;
}

/** Where rows go; TableWriters is one. A returned promise means "wait before writing more". */
export interface RowSink {
  write(table: string, row: Row): Promise<void> | void;
}

const EXCERPT = 120;

class RecordWriter {
  readonly rowsByTable: Record<string, number> = {};
  readonly #entity: Entity;
  readonly #sink: RowSink;
  readonly #shop: string;
  readonly #runId: string;
  readonly #extractedAt: string;
  // table, row, table, row, … of the record being processed (a record makes a handful of rows).
  #pending: Array<string | Row> = [];
  readonly #emit: Emit = (table, row) => {
    this.#pending.push(table, row);
  };

  constructor(entity: Entity, sink: RowSink, meta: RunMeta) {
    this.#entity = entity;
    this.#sink = sink;
    this.#shop = meta.shop;
    this.#runId = meta.runId;
    this.#extractedAt = typeof meta.extractedAt === 'string' ? meta.extractedAt : meta.extractedAt.toISOString();
    for (const t of entity.tables) this.rowsByTable[t.name] = 0;
  }

  /** Runs the processor (pure, synchronous); its rows wait in #pending until flush(). */
  process(record: JsonObject): void {
    this.#pending.length = 0;
    this.#entity.process(record, this.#emit);
  }

  async flush(): Promise<void> {
    const pending = this.#pending;
    for (let k = 0; k < pending.length; k += 2) {
      const table = pending[k] as string;
      const row = pending[k + 1] as Row;
      const count = this.rowsByTable[table];
      if (count === undefined) throw new EtlError(ErrorCodes.INTERNAL, `${this.#entity.name} emitted a row for undeclared table ${table}`);
      this.rowsByTable[table] = count + 1;
      row._shop = this.#shop;
      row._run_id = this.#runId;
      row._extracted_at = this.#extractedAt;
      const wait = this.#sink.write(table, row);
      if (wait) await wait;
    }
    pending.length = 0;
  }
}

function isNumbered(lines: AsyncIterable<string>): lines is NumberedLines {
  return typeof (lines as Partial<NumberedLines>).lineNumber === 'number';
}

function excerpt(line: string): string {
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line;
}

function atLine(entity: Entity, line: number, err: unknown, text: string): EtlError {
  if (isEtlError(err)) {
    return new EtlError(err.code, `${entity.name} JSONL line ${line}: ${err.message}`, { cause: err, details: { ...err.details, line, excerpt: excerpt(text) } });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new EtlError(ErrorCodes.INTERNAL, `${entity.name} JSONL line ${line}: processor failed: ${message}`, { cause: err, details: { line, excerpt: excerpt(text) } });
}

export async function processJsonl(entity: Entity, lines: AsyncIterable<string>, writers: RowSink, meta: RunMeta): Promise<ProcessResult> {
  if (entity.kind !== 'bulk') throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not a bulk entity`);
  const out = new RecordWriter(entity, writers, meta);
  const cursorField = entity.incremental?.cursorField;
  const numbered = isNumbered(lines) ? lines : null;
  let count = 0;
  let rootLines = 0;
  let maxCursor: string | null = null;
  let maxCursorMs = -Infinity;

  for await (const line of lines) {
    count++;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (err) {
      const n = numbered?.lineNumber ?? count;
      throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${entity.name} JSONL line ${n} is not valid JSON (${(err as Error).message}): ${excerpt(line)}`, { details: { line: n } });
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      const n = numbered?.lineNumber ?? count;
      throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${entity.name} JSONL line ${n} is not a JSON object: ${excerpt(line)}`, { details: { line: n } });
    }
    const obj = record as JsonObject;
    if (obj.__parentId === undefined) {
      rootLines++;
      const cursor = cursorField === undefined ? undefined : obj[cursorField];
      if (typeof cursor === 'string') {
        const ms = Date.parse(cursor);
        if (ms > maxCursorMs) {
          maxCursorMs = ms;
          maxCursor = cursor;
        }
      }
    }
    try {
      out.process(obj);
    } catch (err) {
      throw atLine(entity, numbered?.lineNumber ?? count, err, line);
    }
    await out.flush();
  }
  return { lines: count, rootLines, rowsByTable: out.rowsByTable, maxCursor };
}

/** For `kind: 'plain'` entities (shop): `data` is the GraphQL response's data object. */
export async function processPlain(entity: Entity, data: JsonObject, writers: RowSink, meta: RunMeta): Promise<ProcessResult> {
  if (entity.kind !== 'plain') throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not a plain entity`);
  const out = new RecordWriter(entity, writers, meta);
  try {
    out.process(data);
  } catch (err) {
    if (isEtlError(err)) throw new EtlError(err.code, `${entity.name}: ${err.message}`, { cause: err, details: err.details });
    throw err;
  }
  await out.flush();
  return { lines: 1, rootLines: 1, rowsByTable: out.rowsByTable, maxCursor: null };
}
