// Shopify's search syntax, as far as the bulk roots need it: `updated_at:>='2025-01-01T00:00:00Z' AND
// created_at:<2025-02-01 AND id:>5612000000000`. Terms are joined by AND or a space, groups by OR; operators are >=, >, <=,
// < and `:` (equals); values are single- or double-quoted or bare. Fields the root does not know are
// ignored, as Shopify ignores them (it only warns), so a typo matches everything.

export type Operator = '>=' | '>' | '<=' | '<' | '=';

export interface Term {
  field: string;
  op: Operator;
  /** Inclusive start and exclusive end of the instant or day the value names, in epoch seconds (an id names [id, id + 1)). */
  from: number;
  to: number;
}

/** Epoch seconds of the date fields a record can be searched by, and its numeric `id`. */
export type Searchable = Readonly<Record<string, number>>;

export class SearchFilter {
  /** OR of AND-groups; a filter with no usable term matches everything. */
  private readonly groups: readonly (readonly Term[])[];

  constructor(groups: readonly (readonly Term[])[]) {
    this.groups = groups.filter((g) => g.length > 0);
  }

  /** This filter with `term` required in every group too. */
  and(term: Term): SearchFilter {
    return new SearchFilter(this.groups.length === 0 ? [[term]] : this.groups.map((g) => [...g, term]));
  }

  get isEmpty(): boolean {
    return this.groups.length === 0;
  }

  matches(record: Searchable): boolean {
    if (this.groups.length === 0) return true;
    return this.groups.some((terms) => terms.every((term) => termMatches(term, record)));
  }
}

function termMatches(term: Term, record: Searchable): boolean {
  const value = record[term.field];
  if (value === undefined) return true;
  switch (term.op) {
    case '>=': return value >= term.from;
    case '>': return value >= term.to;
    case '<=': return value < term.to;
    case '<': return value < term.from;
    case '=': return value >= term.from && value < term.to;
  }
}

/** Parses a `query:` argument, keeping only terms on `fields` whose value is a valid date or time (a whole number for `id`). */
export function parseSearch(query: unknown, fields: readonly string[]): SearchFilter {
  if (typeof query !== 'string') return new SearchFilter([]);
  const groups: Term[][] = [[]];
  for (const token of tokenize(query)) {
    if (token === 'OR') groups.push([]);
    else if (token !== 'AND') {
      const term = parseTerm(token, fields);
      if (term) groups[groups.length - 1]?.push(term);
    }
  }
  // A group whose terms were all ignored matches everything, and so does the whole OR.
  if (groups.some((g) => g.length === 0) && groups.length > 1) return new SearchFilter([]);
  return new SearchFilter(groups);
}

/** Splits on whitespace outside quotes; quotes stay in the token and are removed by parseTerm. */
function tokenize(query: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (const ch of query) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"') {
      current += ch;
      quote = ch;
    } else if (/\s/.test(ch)) {
      if (current) tokens.push(current);
      current = '';
    } else current += ch;
  }
  if (current) tokens.push(current);
  return tokens;
}

const TERM = /^([a-z_]+):(>=|<=|>|<)?(.*)$/i;

function parseTerm(token: string, fields: readonly string[]): Term | null {
  const match = TERM.exec(token);
  if (!match) return null;
  const field = (match[1] ?? '').toLowerCase();
  if (!fields.includes(field)) return null;
  const value = unquote(match[3] ?? '');
  const range = field === 'id' ? parseId(value) : parseInstant(value);
  if (!range) return null;
  const op = (match[2] ?? '=') as Operator;
  return { field, op, ...range };
}

function unquote(value: string): string {
  const first = value[0];
  if ((first === "'" || first === '"') && value.length >= 2 && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

/** A numeric id names the one-wide range [id, id + 1), so the operators read as they do on instants. */
function parseId(value: string): { from: number; to: number } | null {
  if (!/^[0-9]+$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? { from: id, to: id + 1 } : null;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A date names a whole day (the shop's timezone is UTC); a time names one instant, at Shopify's
 * one-second precision. Times without a zone are UTC.
 */
function parseInstant(value: string): { from: number; to: number } | null {
  if (DATE_ONLY.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(ms) ? null : { from: ms / 1000, to: ms / 1000 + 86_400 };
  }
  const ms = Date.parse(HAS_ZONE.test(value) ? value : `${value}Z`);
  if (Number.isNaN(ms)) return null;
  // Sub-second parts round up on the lower bound, so `>= 10:00:00.5` excludes 10:00:00.
  const from = Math.ceil(ms / 1000);
  return { from, to: Math.floor(ms / 1000) + 1 };
}
