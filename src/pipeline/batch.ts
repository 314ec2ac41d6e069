// One batch of whole JSONL lines → per-table compressed segments. Runs in a worker thread (pure and
// synchronous, like the processors it calls); knows only line numbers within its batch, so a failure
// is returned as data and the main thread, which knows how many lines came before, names the line.
import { EtlError, ErrorCodes, isEtlError, type ErrorCode } from '../errors.ts';
import type { Emit, Entity, JsonObject, Row } from '../entities/types.ts';
import { encodeSegment, type Segment } from './segment.ts';

/** Stamped on every row: the shop's myshopify domain (`_shop`), the run, and its start time. */
export interface RunStamp {
  shop: string;
  runId: string;
  extractedAt: string;
}

export interface BatchResult {
  ok: true;
  /** Physical lines in the batch, empty ones included (line numbers continue from here). */
  physicalLines: number;
  /** Non-empty lines (compared with objectCount), and those without __parentId. */
  lines: number;
  rootLines: number;
  /** Highest root cursor (updatedAt) as written, and its time, or null. */
  maxCursor: string | null;
  maxCursorMs: number;
  /** Tables in the order the entity declares them; only tables that got rows. */
  segments: Array<{ table: string; segment: Segment }>;
}

export interface BatchFailure {
  ok: false;
  /** 1-based line within the batch. */
  line: number;
  code: ErrorCode;
  /** Completes "<entity> JSONL line <n>…". */
  message: string;
  details: Record<string, unknown>;
}

const EXCERPT = 120;
const CR = 13;

export function excerpt(line: string): string {
  return line.length > EXCERPT ? `${line.slice(0, EXCERPT)}…` : line;
}

/** Rows of one batch per table, stamped and serialised as they come. */
export class TableTexts {
  readonly #texts = new Map<string, { text: string; rows: number }>();
  readonly #entity: Entity;
  readonly #stamp: RunStamp;
  readonly emit: Emit = (table, row) => this.#add(table, row);

  constructor(entity: Entity, stamp: RunStamp) {
    this.#entity = entity;
    this.#stamp = stamp;
    for (const t of entity.tables) this.#texts.set(t.name, { text: '', rows: 0 });
  }

  #add(table: string, row: Row): void {
    const t = this.#texts.get(table);
    if (!t) throw new EtlError(ErrorCodes.INTERNAL, `${this.#entity.name} emitted a row for undeclared table ${table}`);
    row._shop = this.#stamp.shop;
    row._run_id = this.#stamp.runId;
    row._extracted_at = this.#stamp.extractedAt;
    t.text += `${JSON.stringify(row)}\n`;
    t.rows++;
  }

  encode(level: number): Array<{ table: string; segment: Segment }> {
    const out: Array<{ table: string; segment: Segment }> = [];
    for (const [table, t] of this.#texts) if (t.rows > 0) out.push({ table, segment: encodeSegment(t.text, t.rows, level) });
    return out;
  }
}

export function processBatch(entity: Entity, stamp: RunStamp, bytes: Uint8Array, gzipLevel: number): BatchResult | BatchFailure {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const out = new TableTexts(entity, stamp);
  const cursorField = entity.incremental?.cursorField;
  let physical = 0;
  let lines = 0;
  let rootLines = 0;
  let maxCursor: string | null = null;
  let maxCursorMs = -Infinity;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const next = end + 1;
    if (end > start && text.charCodeAt(end - 1) === CR) end--;
    physical++;
    if (end > start) {
      const line = text.slice(start, end);
      lines++;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch (err) {
        return malformed(physical, ` is not valid JSON (${(err as Error).message}): ${excerpt(line)}`);
      }
      if (typeof record !== 'object' || record === null || Array.isArray(record)) return malformed(physical, ` is not a JSON object: ${excerpt(line)}`);
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
        entity.process(obj, out.emit);
      } catch (err) {
        return processorFailure(physical, err, line);
      }
    }
    start = next;
  }
  return { ok: true, physicalLines: physical, lines, rootLines, maxCursor, maxCursorMs, segments: out.encode(gzipLevel) };
}

function malformed(line: number, message: string): BatchFailure {
  return { ok: false, line, code: ErrorCodes.MALFORMED_JSONL, message, details: {} };
}

function processorFailure(line: number, err: unknown, text: string): BatchFailure {
  if (isEtlError(err)) return { ok: false, line, code: err.code, message: `: ${err.message}`, details: { ...err.details, excerpt: excerpt(text) } };
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, line, code: ErrorCodes.INTERNAL, message: `: processor failed: ${message}`, details: { excerpt: excerpt(text) } };
}
