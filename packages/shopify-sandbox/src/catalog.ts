// The `bulkOperations` connection (2026-01+): Shopify's search filters (status, operation_type,
// created_at, id), sort keys, reverse and cursor pagination, with the recorded argument errors and
// `extensions.search` warnings. Terms are joined by AND (or a space); OR/NOT are not supported here.
import { GraphQLError } from 'graphql';
import type { BulkOperationRecord } from './operations.ts';

export interface CatalogArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  query?: string | null;
  reverse?: boolean | null;
  sortKey?: 'CREATED_AT' | 'COMPLETED_AT' | null;
}

export interface SearchWarning {
  field: string;
  message: string;
  code: 'invalid_field' | 'invalid_value';
}

export interface SearchExtension {
  path: string[];
  query: string;
  parsed: Record<string, unknown>;
  warnings: SearchWarning[];
}

export interface CatalogPage {
  items: Array<{ cursor: string; node: BulkOperationRecord }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  search: SearchExtension | null;
}

const badRequest = (message: string): GraphQLError => new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } });

const STATUS_VALUES = new Set(['canceled', 'canceling', 'completed', 'created', 'expired', 'failed', 'running']);
const TYPE_VALUES = new Set(['query', 'mutation']);

type Comparator = '=' | '>' | '>=' | '<' | '<=';
interface Term {
  field: string;
  comparator: Comparator;
  value: string;
}

const PARSED_KEY: Record<Comparator, string> = { '=': 'match_all', '>': 'range_gt', '>=': 'range_gte', '<': 'range_lt', '<=': 'range_lte' };

function parseTerms(query: string): Term[] {
  const terms: Term[] = [];
  for (const token of query.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? []) {
    if (token === 'AND') continue;
    const m = /^([a-z_]+):(>=|<=|>|<)?(.*)$/i.exec(token);
    if (!m) continue;
    terms.push({ field: m[1] ?? '', comparator: (m[2] as Comparator | undefined) ?? '=', value: (m[3] ?? '').replace(/^(["'])(.*)\1$/, '$2') });
  }
  return terms;
}

function compare(actual: number, comparator: Comparator, wanted: number, dayLong = false): boolean {
  switch (comparator) {
    case '=': return dayLong ? actual >= wanted && actual < wanted + 86_400_000 : actual === wanted;
    case '>': return actual > wanted;
    case '>=': return actual >= wanted;
    case '<': return actual < wanted;
    case '<=': return actual <= wanted;
  }
}

/** A predicate per term; unknown fields and values become warnings, as Shopify reports them. */
function filterFor(terms: Term[], warnings: SearchWarning[]): (op: BulkOperationRecord) => boolean {
  const tests: Array<(op: BulkOperationRecord) => boolean> = [];
  for (const { field, comparator, value } of terms) {
    switch (field) {
      case 'status':
      case 'operation_type': {
        const accepted = field === 'status' ? STATUS_VALUES : TYPE_VALUES;
        if (!accepted.has(value)) {
          warnings.push({ field, message: `Input \`${value}\` is not an accepted value.`, code: 'invalid_value' });
          tests.push(() => false);
        } else {
          tests.push((op) => (field === 'status' ? op.status : op.type).toLowerCase() === value);
        }
        break;
      }
      case 'created_at': {
        const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
        if (Number.isNaN(at)) throw badRequest('Invalid timestamp for query filter `created_at`.');
        const dayLong = /^\d{4}-\d{2}-\d{2}$/.test(value);
        tests.push((op) => compare(op.createdAt.getTime(), comparator, at, dayLong));
        break;
      }
      case 'id': {
        const wanted = Number(value.replace(/^gid:\/\/shopify\/BulkOperation\//, ''));
        if (!Number.isInteger(wanted)) {
          warnings.push({ field, message: `Input \`${value}\` is not an accepted value.`, code: 'invalid_value' });
          tests.push(() => false);
        } else {
          tests.push((op) => compare(Number(op.id.split('/').pop()), comparator, wanted));
        }
        break;
      }
      default:
        warnings.push({ field, message: 'Invalid search field for this query.', code: 'invalid_field' });
    }
  }
  return (op) => tests.every((t) => t(op));
}

/** Shopify's cursors are base64 JSON: {"last_id":<n>,"last_value":"<sort value, microseconds>"}. */
function cursorOf(op: BulkOperationRecord, sortKey: 'CREATED_AT' | 'COMPLETED_AT'): string {
  const at = sortKey === 'CREATED_AT' ? op.createdAt : op.completedAt;
  const payload: Record<string, unknown> = { last_id: Number(op.id.split('/').pop()) };
  if (at) payload.last_value = `${at.toISOString().replace('T', ' ').replace('Z', '')}000`;
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}

function idOfCursor(cursor: string): string | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64').toString('utf8')) as { last_id?: unknown };
    return typeof parsed.last_id === 'number' ? `gid://shopify/BulkOperation/${parsed.last_id}` : null;
  } catch {
    return null;
  }
}

export function listBulkOperations(all: readonly BulkOperationRecord[], args: CatalogArgs): CatalogPage {
  const { first, last } = args;
  if (first == null && last == null) throw badRequest('you must provide one of first or last');
  if (first != null && last != null) throw badRequest('providing both first and last is not supported');
  const sortKey = args.sortKey ?? 'CREATED_AT';

  const warnings: SearchWarning[] = [];
  const terms = args.query ? parseTerms(args.query) : [];
  const keep = filterFor(terms, warnings);
  const time = (op: BulkOperationRecord): number | null => (sortKey === 'CREATED_AT' ? op.createdAt.getTime() : (op.completedAt?.getTime() ?? null));
  const number = (op: BulkOperationRecord): number => Number(op.id.split('/').pop());
  // Ascending puts operations without the sort value first; reverse:false (the default) is newest first.
  const ascending = all.filter(keep).sort((a, b) => {
    const ta = time(a);
    const tb = time(b);
    if (ta === null || tb === null) return ta === tb ? number(a) - number(b) : ta === null ? -1 : 1;
    return ta - tb || number(a) - number(b);
  });
  let list = args.reverse ? ascending : ascending.reverse();

  const afterId = args.after ? idOfCursor(args.after) : null;
  const beforeId = args.before ? idOfCursor(args.before) : null;
  let startIndex = 0;
  if (afterId) startIndex = list.findIndex((op) => op.id === afterId) + 1;
  if (beforeId) {
    const at = list.findIndex((op) => op.id === beforeId);
    if (at >= 0) list = list.slice(0, at);
  }
  list = list.slice(startIndex);
  let page: BulkOperationRecord[];
  let hasNextPage = false;
  let hasPreviousPage = startIndex > 0;
  if (first != null) {
    page = list.slice(0, Math.max(0, first));
    hasNextPage = list.length > page.length;
  } else {
    const n = Math.max(0, last ?? 0);
    page = n === 0 ? [] : list.slice(-n);
    hasPreviousPage = list.length > page.length;
    hasNextPage = beforeId !== null;
  }
  const items = page.map((node) => ({ cursor: cursorOf(node, sortKey), node }));

  let search: SearchExtension | null = null;
  if (warnings.length > 0 && args.query) {
    const parts = terms.map((t) => ({ field: t.field, [PARSED_KEY[t.comparator]]: t.value }));
    search = { path: ['bulkOperations'], query: args.query, parsed: parts.length === 1 && parts[0] ? parts[0] : { and: parts }, warnings };
  }
  return {
    items,
    pageInfo: { hasNextPage, hasPreviousPage, startCursor: items[0]?.cursor ?? null, endCursor: items.at(-1)?.cursor ?? null },
    search,
  };
}
