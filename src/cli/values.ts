// Text a user typed (a flag, an ETL_* or platform variable) read as a number, a duration, a size or an
// instant: one reader per kind, each refusing with CONFIG_INVALID in one line that names where the
// value came from (`label`, e.g. "--workers" or "--workers (ETL_WORKERS)") and repeats it as given.
import { EtlError, ErrorCodes } from '../errors/index.ts';

/** Refuses input: a CONFIG_INVALID error whose one-line message says what to fix (exit code 2). */
export function bad(message: string): never {
  throw new EtlError(ErrorCodes.CONFIG_INVALID, message);
}

export function wholeNumber(label: string, text: string, min: number, max = Infinity): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    bad(`${label} must be a whole number ${max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`} (got '${text}')`);
  }
  return n;
}

// A sign is read so that "-2h" is refused as a negative duration rather than as an unknown text.
const DURATION = /^(-?)(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function milliseconds(text: string): number | null {
  const m = DURATION.exec(text.trim());
  return m ? (m[1] ? -1 : 1) * Math.round(Number(m[2]) * UNIT_MS[m[3]!]!) : null;
}

/** Milliseconds, at least `min` (a duration text such as "10ms"); `example` is offered when it is negative. */
export function duration(label: string, text: string, min = '0ms', example = '2h'): number {
  const ms = milliseconds(text);
  if (ms === null) bad(`${label} '${text}' is not a duration; use a number with a unit: 90s, 15m, 2h, 7d`);
  const floor = milliseconds(min)!;
  if (ms < floor || text.trim().startsWith('-')) {
    bad(floor === 0 ? `${label} '${text}' is negative; give a duration ≥ 0, e.g. ${example}` : `${label} '${text}' is too short; give at least ${min}`);
  }
  return ms;
}

const SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

function bytes(text: string): number | null {
  const m = SIZE.exec(text.trim());
  return m ? Number(m[1]) * UNIT_BYTES[m[2] ?? 'B']! : null;
}

/** Bytes, at least `min` (a size text such as "4KiB"). */
export function size(label: string, text: string, min = '0'): number {
  const n = bytes(text);
  if (n === null) bad(`${label} '${text}' is not a size; use bytes or a binary unit: 262144, 256KiB, 8MiB`);
  if (n < bytes(min)!) bad(`${label} '${text}' is too small; give at least ${min}`);
  return n;
}

export function bool(label: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0' || text === '') return false;
  return bad(`${label} must be true or false (got '${String(value)}')`);
}

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):(\d{2})))?$/;

/**
 * A bare date means midnight UTC; a date-time must say its offset, so no run depends on the machine's
 * zone. Every field must exist as written: Date would roll 2026-02-30 over to March 2nd.
 */
export function instant(label: string, text: string): Date {
  const m = INSTANT.exec(text);
  if (!m) bad(`${label} '${text}' is not an ISO-8601 date or date-time with a zone, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  const field = (i: number): number => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const [offsetHours, offsetMinutes] = [field(10), field(11)];
  const fields = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const exists = fields.getUTCFullYear() === year && fields.getUTCMonth() === month - 1 && fields.getUTCDate() === day
    && fields.getUTCHours() === hour && fields.getUTCMinutes() === minute && fields.getUTCSeconds() === second
    && offsetHours <= 23 && offsetMinutes <= 59;
  if (!exists) bad(`${label} '${text}' is not a date that exists; give e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  return new Date(m[4] === undefined ? `${text}T00:00:00Z` : text);
}
