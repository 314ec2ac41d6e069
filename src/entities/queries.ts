// Bulk query text. The files in queries/ carry no filter; a window's updated_at filter is set on the
// root connection through the GraphQL AST, so it can never land on the wrong field or break quoting.
import { readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type ArgumentNode, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { Entity, QueryPart } from './types.ts';

const QUERIES_DIR = new URL('../../queries/', import.meta.url);
const cache = new Map<string, string>();

export function loadQuery(entity: Pick<Entity, 'queryFile'>): string {
  let text = cache.get(entity.queryFile);
  if (text === undefined) {
    text = readFileSync(new URL(entity.queryFile, QUERIES_DIR), 'utf8');
    cache.set(entity.queryFile, text);
  }
  return text;
}

/** Sets (or replaces) the `query:` search argument of the top-level field `rootField`. */
export function withSearchFilter(query: string, rootField: string, filter: string): string {
  let found = false;
  const setFilter = (field: FieldNode): FieldNode => {
    found = true;
    const arg: ArgumentNode = { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'query' }, value: { kind: Kind.STRING, value: filter } };
    const others = (field.arguments ?? []).filter((a) => a.name.value !== 'query');
    return { ...field, arguments: [...others, arg] };
  };
  const doc = visit(parse(query), {
    OperationDefinition(op: OperationDefinitionNode) {
      const selections = op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD && s.name.value === rootField ? setFilter(s) : s));
      return { ...op, selectionSet: { ...op.selectionSet, selections } };
    },
  });
  if (!found) throw new EtlError(ErrorCodes.INTERNAL, `query has no top-level field ${JSON.stringify(rootField)} to filter`);
  return print(doc);
}

/** The ids of an id-range part of a window: > after and <= through, decimal; null leaves that side open. */
export interface IdRange {
  after: string | null;
  through: string | null;
}

/**
 * Half-open UTC window `updated_at:>='…' AND updated_at:<'…'` (or on processed_at), quoted (unquoted,
 * Shopify ignores the time part). A null `since` leaves the window open below (a first, full extraction up to `until`).
 * An id range adds `id:>N AND id:<=M`, numbers unquoted (docs/shopify-bulk-api.md#incremental-filters).
 */
export function windowFilter(since: Date | null, until: Date, ids: IdRange = { after: null, through: null }, field: NonNullable<QueryPart['incremental']>['searchField'] = 'updated_at'): string {
  if ((since !== null && Number.isNaN(since.getTime())) || Number.isNaN(until.getTime()) || (since !== null && since >= until)) {
    throw new EtlError(ErrorCodes.INTERNAL, `invalid window [${String(since)}, ${String(until)})`);
  }
  const terms = since === null ? [] : [`${field}:>='${searchTime(since)}'`];
  terms.push(`${field}:<'${searchTime(until)}'`);
  if (ids.after !== null) terms.push(`id:>${searchId(ids.after)}`);
  if (ids.through !== null) terms.push(`id:<=${searchId(ids.through)}`);
  return terms.join(' AND ');
}

function searchId(id: string): string {
  if (!/^[0-9]+$/.test(id)) throw new EtlError(ErrorCodes.INTERNAL, `invalid id bound ${JSON.stringify(id)}`);
  return id;
}

function searchTime(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
