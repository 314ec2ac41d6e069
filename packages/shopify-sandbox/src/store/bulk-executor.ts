// Runs a (validated) bulk query over the store's records and turns it into JSONL line groups: each
// connection node is one line, keys in selection order, nested connection nodes as their own lines
// with "__parentId" (the nearest connection node above) as the last key; lists and objects inline.
// A group is one root node and everything under it, in depth-first order (Shopify's grouped order);
// orderings.ts rearranges groups into the other orders.
import { Kind, valueFromASTUntyped, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { Connection, RawJson, type Args, type Rec, type Value } from './model.ts';
import { appliesTo } from './possible-types.ts';

export interface LineGroup {
  lines: string[];
  /** Index (within the group) of each line's parent line; -1 for the root line. */
  parents: number[];
}

/** Resolves a root field of the query (e.g. `orders(query: ...)`) to its nodes, or null if it is not a connection. */
export type RootResolver = (field: string, args: Args) => Iterable<Rec> | null;

interface PlannedField {
  /** `"responseKey":`, ready to concatenate. */
  key: string;
  name: string;
  args: Args;
  sub: SelectionPlan | null;
}

/** The selection sets that apply at one position of the query, with their merged fields cached per type. */
class SelectionPlan {
  private readonly sets: readonly SelectionSetNode[];
  private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  private readonly byType = new Map<string, PlannedField[]>();
  private connectionNodes: SelectionPlan | null = null;
  // Consecutive records at one position nearly always share a type: skip the map lookup for them.
  private lastType: string | null | undefined = undefined;
  private lastFields: PlannedField[] = [];

  constructor(sets: readonly SelectionSetNode[], fragments: ReadonlyMap<string, FragmentDefinitionNode>) {
    this.sets = sets;
    this.fragments = fragments;
  }

  /** Fields for a record of `typename` (null: connection and edge levels, where every fragment applies). */
  fields(typename: string | null): PlannedField[] {
    if (typename === this.lastType) return this.lastFields;
    const cacheKey = typename ?? '';
    let fields = this.byType.get(cacheKey);
    if (!fields) {
      fields = this.collect(typename);
      this.byType.set(cacheKey, fields);
    }
    this.lastType = typename;
    this.lastFields = fields;
    return fields;
  }

  /** For a connection field: the plan of `edges { node { ... } }`. */
  nodes(): SelectionPlan {
    if (!this.connectionNodes) {
      const nodeSets: SelectionSetNode[] = [];
      for (const edges of this.fields(null)) {
        if (edges.name !== 'edges' || !edges.sub) continue;
        for (const node of edges.sub.fields(null)) if (node.name === 'node' && node.sub) nodeSets.push(...node.sub.sets);
      }
      this.connectionNodes = new SelectionPlan(nodeSets, this.fragments);
    }
    return this.connectionNodes;
  }

  private collect(typename: string | null): PlannedField[] {
    const merged = new Map<string, { name: string; args: Args; sets: SelectionSetNode[] }>();
    const visit = (set: SelectionSetNode): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          let entry = merged.get(key);
          if (!entry) {
            const args: Record<string, unknown> = {};
            for (const arg of selection.arguments ?? []) args[arg.name.value] = valueFromASTUntyped(arg.value);
            entry = { name: selection.name.value, args, sets: [] };
            merged.set(key, entry);
          }
          if (selection.selectionSet) entry.sets.push(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          const condition = selection.typeCondition?.name.value;
          if (condition === undefined || typename === null || appliesTo(condition, typename)) visit(selection.selectionSet);
        } else {
          const fragment = this.fragments.get(selection.name.value);
          if (fragment && (typename === null || appliesTo(fragment.typeCondition.name.value, typename))) visit(fragment.selectionSet);
        }
      }
    };
    for (const set of this.sets) visit(set);
    return [...merged].map(([key, f]) => ({
      key: `${JSON.stringify(key)}:`,
      name: f.name,
      args: f.args,
      sub: f.sets.length > 0 ? new SelectionPlan(f.sets, this.fragments) : null,
    }));
  }
}

export interface BulkPlan {
  roots: Array<{ field: string; args: Args; nodes: SelectionPlan }>;
}

/** Compiles the query's operation into a plan; the document must already be valid for the served schema. */
export function planBulkQuery(document: DocumentNode): BulkPlan {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION && operation === undefined) operation = def;
  }
  if (!operation) throw new Error('bulk query has no operation');
  const root = new SelectionPlan([operation.selectionSet], fragments);
  return {
    roots: root.fields('QueryRoot').filter((f) => f.sub !== null).map((f) => ({ field: f.name, args: f.args, nodes: f.sub!.nodes() })),
  };
}

/** Line groups of the query, one per root node, produced as they are pulled. */
export function* executeBulkQuery(plan: BulkPlan, resolveRoot: RootResolver): Generator<LineGroup> {
  for (const root of plan.roots) {
    const nodes = resolveRoot(root.field, root.args);
    if (!nodes) continue;
    for (const node of nodes) {
      const group: LineGroup = { lines: [], parents: [] };
      writeNode(node, root.nodes, -1, null, group);
      yield group;
    }
  }
}

type Deferred = Array<{ connection: Connection; plan: SelectionPlan }>;

function writeNode(record: Rec, plan: SelectionPlan, parentIndex: number, parentId: string | null, group: LineGroup): void {
  const index = group.lines.length;
  group.lines.push('');
  group.parents.push(parentIndex);
  const deferred: Deferred = [];
  let line = `{${serializeFields(record, plan, deferred)}`;
  if (parentId !== null) line += `${line.length > 1 ? ',' : ''}"__parentId":${jsonString(parentId)}`;
  group.lines[index] = `${line}}`;
  if (deferred.length === 0) return;
  const id = record['id'];
  if (typeof id !== 'string') throw new Error(`a ${String(record['__typename'])} with nested connections has no id`);
  for (const { connection, plan: childPlan } of deferred) {
    for (const child of connection.nodes) writeNode(child, childPlan, index, id, group);
  }
}

function serializeFields(record: Rec, plan: SelectionPlan, deferred: Deferred): string {
  const typename = record['__typename'];
  let out = '';
  for (const field of plan.fields(typeof typename === 'string' ? typename : null)) {
    let value: Value | undefined = field.name === '__typename' ? typename : record[field.name];
    if (typeof value === 'function') value = value(field.args);
    if (value === undefined) throw new Error(`sandbox store has no value for ${String(typename)}.${field.name}`);
    // Connection nodes become lines of their own after this one; the field itself is left out.
    if (value instanceof Connection) {
      if (field.sub) deferred.push({ connection: value, plan: field.sub.nodes() });
      continue;
    }
    out += `${out ? ',' : ''}${field.key}${serializeValue(value, field.sub, deferred)}`;
  }
  return out;
}

function serializeValue(value: Value, plan: SelectionPlan | null, deferred: Deferred): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string': return jsonString(value);
    case 'number': return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean': return value ? 'true' : 'false';
    case 'function': return serializeValue(value({}), plan, deferred);
  }
  if (value instanceof RawJson) return value.text.replaceAll('/', '\\/');
  if (value instanceof Connection) return 'null';
  if (Array.isArray(value)) return `[${(value as readonly Value[]).map((item) => serializeValue(item, plan, deferred)).join(',')}]`;
  if (!plan) throw new Error('an object field was selected without a selection set');
  return `{${serializeFields(value as Rec, plan, deferred)}}`;
}

// Characters JSON.stringify would escape (quotes, backslash, controls, lone-surrogate candidates).
const NEEDS_STRINGIFY = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON string with "/" escaped as "\/", as Shopify's bulk files have it. */
function jsonString(value: string): string {
  // Most values (ids, names, dates) need no escaping but the slash; skip JSON.stringify for them.
  if (NEEDS_STRINGIFY.test(value)) {
    const json = JSON.stringify(value);
    return json.includes('/') ? json.replaceAll('/', '\\/') : json;
  }
  return value.includes('/') ? `"${value.replaceAll('/', '\\/')}"` : `"${value}"`;
}
