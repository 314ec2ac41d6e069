// The id-only bulk query of an incremental entity: its own query file pruned to the root connection's
// `__typename` and `id`, and those of the child connections its deletes name (Entity.deletes). One
// line per record, a few dozen bytes each: the cheapest complete list of what the store holds.
import { Kind, parse, print, type FieldNode, type SelectionNode, type SelectionSetNode } from 'graphql';
import { loadQuery } from '../../entities/queries.ts';
import type { Entity } from '../../entities/types.ts';
import { EtlError, ErrorCodes } from '../../errors/index.ts';

const field = (name: string, selectionSet?: SelectionSetNode): FieldNode => ({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: name }, ...(selectionSet ? { selectionSet } : {}) });
const set = (selections: readonly SelectionNode[]): SelectionSetNode => ({ kind: Kind.SELECTION_SET, selections });

/** `edges { node { __typename id <children> } }` of a connection. */
function idsOf(children: readonly FieldNode[]): SelectionSetNode {
  return set([field('edges', set([field('node', set([field('__typename'), field('id'), ...children]))]))]);
}

export function idsQuery(entity: Entity): string {
  const root = entity.incremental?.rootField;
  if (!root || !entity.deletes) throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} has no id snapshot: it is not incremental`);
  const doc = parse(loadQuery(entity));
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const rootField = op?.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === root);
  if (!op || !rootField) throw new EtlError(ErrorCodes.INTERNAL, `${entity.queryFile} has no top-level ${root}`);
  const children = entity.deletes.connections.map((name) => field(name, idsOf([])));
  const name = `${op.name?.value ?? entity.name}Ids`;
  return print({ kind: Kind.DOCUMENT, definitions: [{ ...op, name: { kind: Kind.NAME, value: name }, selectionSet: set([{ ...rootField, selectionSet: idsOf(children) }]) }] });
}
