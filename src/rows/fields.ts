// Reading one JSONL record while remembering what was read, so that whatever no column took (a field
// a newer API version added, or a selection nobody mapped) ends up in the row's `_extra` instead of
// being dropped. Typed getters only take a value of the expected shape; a value of another shape is
// left unread, so it lands in `_extra` rather than in a column BigQuery would reject.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { JsonObject, JsonValue } from './types.ts';

const GID = /^gid:\/\/shopify\/([A-Za-z][A-Za-z0-9]*)\/(\d+)(?:\?.*)?$/;
const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;
// Field ranges checked by the pattern itself: Date.parse on every timestamp of every line costs more than the rest of the check.
const TIMESTAMP = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** `gid://shopify/Order/123` (or `…/123?inventory_item_id=4`) → `'123'`, or undefined when `gid` is not a Shopify global id. */
export function gidNumber(gid: string): string | undefined {
  return GID.exec(gid)?.[2];
}

/** `gid://shopify/Order/123` (or `…/123?inventory_item_id=4`) → `'123'`; a string of digits because ids are 64-bit. */
export function numericId(gid: string): string {
  const m = GID.exec(gid);
  if (!m) throw new EtlError(ErrorCodes.MALFORMED_JSONL, `not a Shopify global id: ${JSON.stringify(gid.slice(0, 120))}`);
  return m[2]!;
}

export const isIntegerString = (v: string): boolean => INTEGER.test(v);
export const isDecimalString = (v: string): boolean => DECIMAL.test(v);
export const isTimestampString = (v: string): boolean => TIMESTAMP.test(v);

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Shape checks for the typed getters (module-level: the getters run for every field of every line).
const asString = (v: JsonValue): v is string => typeof v === 'string';
const asBoolean = (v: JsonValue): v is boolean => typeof v === 'boolean';
const asFloat = (v: JsonValue): v is number => typeof v === 'number' && Number.isFinite(v);
const asInteger = (v: JsonValue): v is number | string => (typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && isIntegerString(v));
const asDecimal = (v: JsonValue): v is string => typeof v === 'string' && isDecimalString(v);
const asTimestamp = (v: JsonValue): v is string => typeof v === 'string' && isTimestampString(v);
const asStrings = (v: JsonValue): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const asObjects = (v: JsonValue): v is JsonObject[] => Array.isArray(v) && v.every(isObject);

export class Fields {
  readonly #src: JsonObject;
  readonly #owner: Fields | null;
  // Keys read, in read order. An array, not a Set: records have a few dozen keys, and a Set per
  // nested object (every money bag, every address) cost more than the lookups it saves.
  readonly #used: string[] = [];
  // Readers handed out for nested objects and lists: their leftovers nest under the same key.
  #nested: Map<string, Fields | Fields[]> | null = null;

  /** The position of an inline list element in its list, from 0; -1 for anything else. */
  readonly position: number;

  /** `owner` is the record a nested object or inline list element sits in (see parentGid); `position`, an element's place in its list. */
  constructor(src: JsonObject, owner: Fields | null = null, position = -1) {
    this.#src = src;
    this.#owner = owner;
    this.position = position;
  }

  #take<T extends JsonValue>(key: string, accept: (v: JsonValue) => v is T): T | null {
    const v = this.#src[key];
    if (v === undefined) return null;
    if (v === null) {
      this.#used.push(key);
      return null;
    }
    if (!accept(v)) return null;
    this.#used.push(key);
    return v;
  }

  /** Reads without marking the key as used. */
  peek(key: string): JsonValue | undefined {
    return this.#src[key];
  }

  /** Marks a key as wholly taken by a column (the caller checked every part of its value). */
  taken(key: string): void {
    this.#used.push(key);
  }

  string(key: string): string | null {
    return this.#take(key, asString);
  }

  boolean(key: string): boolean | null {
    return this.#take(key, asBoolean);
  }

  float(key: string): number | null {
    return this.#take(key, asFloat);
  }

  /** Int (a JSON number) or UnsignedInt64 (a JSON string of digits), kept as given. */
  integer(key: string): number | string | null {
    return this.#take(key, asInteger);
  }

  /** Decimal / Money scalars: Shopify sends them as strings, which keeps their precision. */
  decimal(key: string): string | null {
    return this.#take(key, asDecimal);
  }

  timestamp(key: string): string | null {
    return this.#take(key, asTimestamp);
  }

  /** A list of strings; null reads as [] because BigQuery REPEATED columns cannot be null. */
  strings(key: string): string[] {
    return this.#take(key, asStrings) ?? [];
  }

  /** A nested object; null, absent or another shape reads as an empty reader. */
  object(key: string): Fields {
    const known = this.#nested?.get(key);
    if (known instanceof Fields) return known;
    const v = this.#src[key];
    if (v === null) this.#used.push(key);
    if (!isObject(v)) return EMPTY;
    const child = new Fields(v, this);
    this.#used.push(key);
    (this.#nested ??= new Map()).set(key, child);
    return child;
  }

  /** A list of objects that stays part of this row (a REPEATED RECORD); element leftovers nest here. */
  list(key: string): Fields[] {
    const elements = this.#elements(key);
    if (elements.length > 0) (this.#nested ??= new Map()).set(key, elements);
    return elements;
  }

  /** A list of objects that become rows of their own (their leftovers go to their own `_extra`). */
  children(key: string): Fields[] {
    return this.#elements(key);
  }

  #elements(key: string): Fields[] {
    const v = this.#take(key, asObjects);
    return v === null ? [] : v.map((e, i) => new Fields(e, this, i));
  }

  /**
   * The GID of the parent: `__parentId` on a child line, else the id of the nearest record holding
   * this one (an inline list may sit in a nested object without an id: Order.risk.assessments).
   */
  parentGid(): string | null {
    const own = this.string('__parentId');
    if (own !== null) return own;
    for (let at = this.#owner; at !== null; at = at.#owner) {
      const ownerId = at.peek('id');
      if (typeof ownerId === 'string') return ownerId;
    }
    return null;
  }

  /** Everything not read: unread keys whole, and the leftovers of nested readers under their key. */
  extra(): JsonObject | null {
    let out: JsonObject | null = null;
    for (const key in this.#src) {
      let left: JsonValue | null;
      if (!this.#used.includes(key)) left = this.#src[key]!;
      else {
        const nested = this.#nested?.get(key);
        left = nested === undefined ? null : Array.isArray(nested) ? listExtra(nested) : nested.extra();
      }
      if (left !== null) (out ??= {})[key] = left;
    }
    return out;
  }
}

/** Leftovers of a list, position by position (null where an element had none), or null if none had any. */
function listExtra(elements: Fields[]): JsonValue[] | null {
  const left = elements.map((e) => e.extra());
  return left.some((e) => e !== null) ? left : null;
}

const EMPTY = new Fields({});
