// Calculated query cost and the leaky bucket behind `extensions.cost` (docs/shopify-bulk-api.md#rate-limits
// at the repository root). The bucket follows the shop's plan: off Shopify Plus it matches the recorded
// dev store, 2000 points refilled at 100 per second; on Plus Shopify documents a restore rate of 1000 a
// second, and the bucket is taken to hold the same 20 seconds of it. A request needs its *requested* cost up front. Costs follow the recordings where they exist (mutations 10, polls 1,
// bulkOperations a few points) and a simple per-field estimate elsewhere.
import {
  Kind,
  getNamedType,
  isLeafType,
  isInterfaceType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { isConnectionType } from './bulk-rules.ts';

export const MAX_QUERY_COST = 1000;
export const MUTATION_COST = 10;

export interface RateLimit {
  maximumAvailable: number;
  restoreRate: number;
}

/** The recorded dev store's bucket: what a shop on a standard plan gets. */
export const STANDARD_RATE_LIMIT: Readonly<RateLimit> = { maximumAvailable: 2000, restoreRate: 100 };
/** A Shopify Plus shop's: ten times the restore rate. */
export const PLUS_RATE_LIMIT: Readonly<RateLimit> = { maximumAvailable: 20_000, restoreRate: 1000 };

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface CostExtension {
  requestedQueryCost: number;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/** One app's bucket on one shop. `now` is injected so tests and the sandbox share a clock. */
export class CostBucket {
  private available: number;
  private updatedAt: number;
  private readonly now: () => number;
  private readonly limit: Readonly<RateLimit>;

  constructor(now: () => number, limit: Readonly<RateLimit>) {
    this.now = now;
    this.limit = limit;
    this.available = limit.maximumAvailable;
    this.updatedAt = now();
  }

  private refill(): void {
    const at = this.now();
    this.available = Math.min(this.limit.maximumAvailable, this.available + ((at - this.updatedAt) / 1000) * this.limit.restoreRate);
    this.updatedAt = at;
  }

  /** Takes `cost` points if the bucket holds them; false (and nothing taken) when throttled. */
  take(cost: number): boolean {
    this.refill();
    if (this.available < cost) return false;
    this.available -= cost;
    return true;
  }

  /** Gives back the difference between requested and actual cost. */
  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.limit.maximumAvailable, this.available + points);
  }

  /** Empties the bucket, as a burst of expensive queries from elsewhere would. */
  drain(): void {
    this.refill();
    this.available = 0;
  }

  status(): ThrottleStatus {
    this.refill();
    return { maximumAvailable: this.limit.maximumAvailable, currentlyAvailable: Math.floor(this.available), restoreRate: this.limit.restoreRate };
  }
}

/** Fields whose cost Shopify recorded as 1 whatever they select (a poll). */
const POLL_FIELDS = new Set(['bulkOperation', 'currentBulkOperation', 'node', 'nodes']);

/** The requested cost of an operation, before it runs. */
export function requestedCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  if (operation.operation === 'mutation') {
    return MUTATION_COST * Math.max(1, fieldsIn(operation.selectionSet, fragments).filter((f) => !f.name.value.startsWith('__')).length);
  }
  const root = schema.getQueryType();
  if (!root) return 1;
  let total = 0;
  for (const field of fieldsIn(operation.selectionSet, fragments)) {
    const name = field.name.value;
    if (name.startsWith('__')) continue;
    if (POLL_FIELDS.has(name)) total += 1;
    else if (name === 'bulkOperations') total += bulkOperationsCost(field, fragments, variables);
    else total += fieldCost(root, field, fragments, variables);
  }
  return Math.max(1, total);
}

function fieldsIn(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): FieldNode[] {
  const out: FieldNode[] = [];
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) out.push(sel);
    else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...fieldsIn(sel.selectionSet, fragments));
    else {
      const fragment = fragments.get(sel.name.value);
      if (fragment) out.push(...fieldsIn(fragment.selectionSet, fragments));
    }
  }
  return out;
}

function pageSize(field: FieldNode, variables: Record<string, unknown>): number {
  for (const arg of field.arguments ?? []) {
    if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    const value = arg.value.kind === Kind.VARIABLE ? variables[arg.value.name.value] : undefined;
    if (typeof value === 'number') return value;
  }
  return 0;
}

/** Recorded: 2 with no page size, 3 for first:1, 5–8 for first:5, 9 for first:50: roughly logarithmic. */
function bulkOperationsCost(field: FieldNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, variables: Record<string, unknown>): number {
  const n = pageSize(field, variables);
  const lists = field.selectionSet ? fieldsIn(field.selectionSet, fragments).filter((f) => f.name.value === 'edges' || f.name.value === 'nodes').length : 0;
  return 2 + lists * Math.ceil(Math.log2(n + 1));
}

/** Objects cost 1, scalars 0, a connection 2 plus its page size times one node's cost (Shopify's documented rule). */
function fieldCost(parent: GraphQLNamedType, field: FieldNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, variables: Record<string, unknown>): number {
  const def: GraphQLField<unknown, unknown> | undefined = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[field.name.value] : undefined;
  if (!def) return 0;
  const type = getNamedType(def.type);
  if (isLeafType(type)) return 0;
  const children = (on: GraphQLNamedType, set: SelectionSetNode | undefined): number =>
    set ? fieldsIn(set, fragments).reduce((sum, f) => sum + fieldCost(on, f, fragments, variables), 0) : 0;
  if (isConnectionType(type) && isObjectType(type)) {
    const n = Math.max(1, pageSize(field, variables));
    let perNode = 0;
    for (const part of field.selectionSet ? fieldsIn(field.selectionSet, fragments) : []) {
      const partDef = type.getFields()[part.name.value];
      if (!partDef || !part.selectionSet) continue;
      const partType = getNamedType(partDef.type);
      if (part.name.value === 'nodes') perNode = Math.max(perNode, 1 + children(partType, part.selectionSet));
      else if (part.name.value === 'edges' && isObjectType(partType)) {
        for (const edgePart of fieldsIn(part.selectionSet, fragments)) {
          const nodeDef = partType.getFields()[edgePart.name.value];
          if (edgePart.name.value === 'node' && nodeDef) perNode = Math.max(perNode, 1 + children(getNamedType(nodeDef.type), edgePart.selectionSet));
        }
      }
    }
    return 2 + n * perNode;
  }
  return 1 + children(type, field.selectionSet);
}
