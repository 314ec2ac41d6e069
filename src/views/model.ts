// What the current state of each output table is, read from the registry: an incremental root keeps
// its latest copy per key, a child of an incremental table keeps the rows that came with its parent's
// latest copy, a snapshot table keeps its entity's latest run. Every table of every entity gets one,
// so a new entity gets its views with no SQL written for it.
import { entities as registry } from '../entities/index.ts';
import type { Entity } from '../entities/types.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { TableDef } from '../rows/types.ts';

export type CurrentState =
  /**
   * Latest copy per key, by `updated_at` (when the table has it), then `_extracted_at`, then `_run_id`.
   * `records`: the entity's tables of this kind, whose rows are its root records (each further query of
   * an entity reads the same root: order_attribution's id is the order's), so a deletion named for any
   * of them takes the id out of each.
   */
  | { kind: 'latest'; table: TableDef; key: readonly string[]; byUpdatedAt: boolean; records: readonly string[]; foreign?: ForeignParent }
  /** The rows that came with the parent's current copy (same `_run_id` and `_extracted_at`: one operation). */
  | { kind: 'child'; table: TableDef; key: readonly string[]; parent: string; parentColumn: string }
  /** The rows of the latest run that committed any table of the entity (`tables`). */
  | { kind: 'snapshot'; table: TableDef; key: readonly string[]; tables: readonly string[] };

/**
 * A parent in another entity's tables (order_sales → order_agreements): the child keeps a row only while
 * its parent is current, or while no copy of the parent was ever written (the other entity not run),
 * so a deleted order's sales leave with its agreements.
 */
export interface ForeignParent { table: TableDef; column: string }

const hasColumn = (table: TableDef, name: string, type?: string): boolean => table.columns.some((c) => c.name === name && (type === undefined || c.type === type));

/** In dependency order: a child's parent comes before it. */
export function currentStates(entities: readonly Entity[] = registry): CurrentState[] {
  const states: CurrentState[] = [];
  const all = new Map(entities.flatMap((e) => e.tables.map((t) => [t.name, t] as const)));
  const foreignOf = (entity: Entity): boolean => entity.tables.some((t) => t.parent && !entity.tables.some((o) => o.name === t.parent!.table));
  // An entity whose tables point into another's comes after every other: its views read theirs.
  for (const entity of [...entities.filter((e) => !foreignOf(e)), ...entities.filter(foreignOf)]) {
    const own = new Set(entity.tables.map((t) => t.name));
    const pending = [...entity.tables];
    // Parents first: a table waits until the table it points into (within its entity) is placed.
    while (pending.length > 0) {
      const index = pending.findIndex((t) => !t.parent || !own.has(t.parent.table) || states.some((s) => s.table.name === t.parent!.table));
      if (index < 0) throw new EtlError(ErrorCodes.INTERNAL, `${entity.name}: its tables' parents form a cycle`);
      const [table] = pending.splice(index, 1) as [TableDef];
      states.push(stateOf(entity, table, own, all));
    }
  }
  return states;
}

function stateOf(entity: Entity, table: TableDef, own: ReadonlySet<string>, all: ReadonlyMap<string, TableDef>): CurrentState {
  const key = table.key;
  if (!key || key.length === 0) throw new EtlError(ErrorCodes.INTERNAL, `${table.name} has no key (TableDef.key): its current state cannot be told`);
  if (!entity.incremental) return { kind: 'snapshot', table, key, tables: entity.tables.map((t) => t.name) };
  if (isChild(table, own)) return { kind: 'child', table, key, parent: table.parent!.table, parentColumn: table.parent!.column };
  const records = entity.tables.filter((t) => !isChild(t, own)).map((t) => t.name);
  const parent = table.parent && all.get(table.parent.table);
  const foreign = parent && { table: parent, column: table.parent!.column };
  return { kind: 'latest', table, key, byUpdatedAt: hasColumn(table, 'updated_at', 'TIMESTAMP'), records, ...(foreign && { foreign }) };
}

const isChild = (table: TableDef, own: ReadonlySet<string>): boolean => table.parent !== undefined && own.has(table.parent.table);

/** Whether a deleted id of this table takes its rows out of the current state (deletions name tables with an `id`). */
export function deletable(state: CurrentState): boolean {
  return state.kind !== 'snapshot' && hasColumn(state.table, 'id');
}
