// The current-state views as SQL, one logic for both dialects (dialects.ts says how each reads the
// files): every view reads only committed rows, the files a run manifest lists.
//   shopify__committed_files     shop, table_name, run_id, object_name of every listed part file
//   shopify__deleted             (shop, table, id) whose latest deletions row is not a restore
//   shopify_<table>_current      the table's current state (model.ts), one row per key; and that of
//                                a table it replaced, for one release (TableDef.formerly)
import { deletionsTable } from '../entities/deletions.ts';
import type { Entity } from '../entities/types.ts';
import { bigQuerySchema } from '../rows/schema.ts';
import type { FormerTable, TableDef } from '../rows/types.ts';
import { dialects, type Dialect, type DialectName, type ViewsTarget } from './dialects.ts';
import { currentStates, deletable, type CurrentState } from './model.ts';

export const COMMITTED_FILES = 'shopify__committed_files';
export const DELETED = 'shopify__deleted';
export const currentView = (table: string): string => `shopify_${table}_current`;

/** Every statement, in an order that creates each view after those it reads. */
export function viewStatements(dialect: DialectName, target: ViewsTarget, entities?: readonly Entity[]): string[] {
  const d = dialects[dialect](target);
  const states = currentStates(entities);
  const tables = [...states.map((s) => s.table), deletionsTable.def];
  return [
    ...d.sources(tables),
    view(d, COMMITTED_FILES, committedFiles(d, target.withheld)),
    ...d.tableViews(tables),
    view(d, DELETED, deleted(d)),
    ...states.flatMap((s) => [view(d, currentView(s.table.name), current(d, s)), ...(s.table.formerly ? [view(d, currentView(s.table.formerly.table), former(d, s.table, s.table.formerly))] : [])]),
  ];
}

export function viewsSql(dialect: DialectName, target: ViewsTarget, entities?: readonly Entity[]): string {
  return `${viewStatements(dialect, target, entities).join(';\n\n')};\n`;
}

function view(d: Dialect, name: string, body: string): string {
  return `CREATE OR REPLACE VIEW ${d.name(name)} AS\n${body}`;
}

/**
 * Shop, table and run read from the object name (`<table>/shop=<shop>/dt=…/run=<run>/part-…`), as the
 * layout writes it; of the listed files, those not `withheld`.
 */
function committedFiles(d: Dialect, withheld: ReadonlySet<string> = new Set()): string {
  const part = (pattern: string): string => d.regexpExtract('object_name', pattern);
  const names = [...withheld].sort().map((n) => `'${n.replaceAll("'", "''")}'`);
  return [
    `SELECT ${part('/shop=([^/]+)/')} AS shop, ${part('^([^/]+)/')} AS table_name, ${part('/run=([^/]+)/')} AS run_id, object_name`,
    `FROM (${d.listedObjects()}) AS listed`,
    `WHERE object_name IS NOT NULL${names.length > 0 ? ` AND object_name NOT IN (${names.join(', ')})` : ''}`,
  ].join('\n');
}

/**
 * For a (shop, table, id) the latest deletions row decides: a deletion takes the id out, a restore
 * (restored = true: seen again) puts it back. Latest by when it was found, then when its run read it.
 */
function deleted(d: Dialect): string {
  const c = (name: string): string => d.column(name);
  return [
    `SELECT _shop, ${c('table')} AS table_name, id FROM (`,
    `  SELECT del.*, ROW_NUMBER() OVER (PARTITION BY del._shop, del.${c('table')}, del.id ORDER BY COALESCE(del.detected_at, del.deleted_at) DESC, del._extracted_at DESC, del._run_id DESC) AS _latest`,
    `  FROM ${d.committedRows(deletionsTable.def)} AS del`,
    ') AS ranked',
    'WHERE _latest = 1 AND NOT COALESCE(restored, FALSE)',
  ].join('\n');
}

/** A table `table` replaced, as the matching rows of its current state under the old column names. */
function former(d: Dialect, table: TableDef, formerly: FormerTable): string {
  const cols = bigQuerySchema(table).filter((f) => !Object.hasOwn(formerly.where, f.name)).map((f) => {
    const old = formerly.renamed[f.name];
    return old === undefined ? d.column(f.name) : `${d.column(f.name)} AS ${d.column(old)}`;
  });
  const where = Object.entries(formerly.where).map(([column, value]) => `${d.column(column)} = '${value.replaceAll("'", "''")}'`);
  return [`SELECT ${cols.join(', ')}`, `FROM ${d.name(currentView(table.name))}`, `WHERE ${where.join(' AND ')}`].join('\n');
}

function columnList(d: Dialect, table: TableDef, alias?: string): string {
  return bigQuerySchema(table).map((f) => (alias ? `${alias}.` : '') + d.column(f.name)).join(', ');
}

function current(d: Dialect, s: CurrentState): string {
  const cols = columnList(d, s.table);
  const source = d.committedRows(s.table);
  const keyCols = s.key.map((k) => `t.${d.column(k)}`);
  const deletedAs = s.kind === 'latest' ? s.records : [s.table.name];
  const notDeleted = deletable(s)
    ? [`NOT EXISTS (SELECT 1 FROM ${d.name(DELETED)} AS gone WHERE gone._shop = kept._shop AND gone.table_name IN (${deletedAs.map((t) => `'${t}'`).join(', ')}) AND gone.id = kept.id)`]
    : [];
  switch (s.kind) {
    case 'latest': {
      const order = [...(s.byUpdatedAt ? ['t.updated_at DESC'] : []), 't._extracted_at DESC', 't._run_id DESC'].join(', ');
      const ref = s.foreign && `kept.${d.column(s.foreign.column)}`;
      const parentKept = s.foreign
        ? [
            `(NOT EXISTS (SELECT 1 FROM ${d.committedRows(s.foreign.table)} AS p WHERE p._shop = kept._shop AND p.id = ${ref})` +
              ` OR EXISTS (SELECT 1 FROM ${d.name(currentView(s.foreign.table.name))} AS p WHERE p._shop = kept._shop AND p.id = ${ref}))`,
          ]
        : [];
      // A reference to a deleted record: the row goes with it ('cascade') or holds null ('null'), as in the store.
      const refers = s.table.references;
      const referenceGone = refers && `EXISTS (SELECT 1 FROM ${d.name(DELETED)} AS gone WHERE gone._shop = kept._shop AND gone.table_name = '${refers.table}' AND gone.id = kept.${d.column(refers.column)})`;
      const kept = refers?.onDelete === 'null'
        ? bigQuerySchema(s.table).map((f) => (f.name === refers.column ? `CASE WHEN ${referenceGone} THEN NULL ELSE kept.${d.column(f.name)} END AS ${d.column(f.name)}` : `kept.${d.column(f.name)}`)).join(', ')
        : cols;
      return [
        `SELECT ${kept} FROM (`,
        `  SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t._shop, ${keyCols.join(', ')} ORDER BY ${order}) AS _copy`,
        `  FROM ${source} AS t`,
        ') AS kept',
        `WHERE ${['_copy = 1', ...notDeleted, ...parentKept, ...(refers?.onDelete === 'cascade' ? [`NOT ${referenceGone}`] : [])].join(' AND ')}`,
      ].join('\n');
    }
    case 'child': {
      // Two operations of one run that read the parent and completed in the same second would both
      // match: one row per key then. A null key (a shipping line without id) is never merged.
      const unkeyed = s.key.map((k) => `kept.${d.column(k)} IS NULL`);
      return [
        `SELECT ${cols} FROM (`,
        `  SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t._shop, ${keyCols.join(', ')} ORDER BY t._extracted_at DESC, t._run_id DESC) AS _copy`,
        `  FROM ${source} AS t`,
        `  JOIN ${d.name(currentView(s.parent))} AS parent`,
        `    ON parent._shop = t._shop AND parent.id = t.${d.column(s.parentColumn)} AND parent._run_id = t._run_id AND parent._extracted_at = t._extracted_at`,
        ') AS kept',
        `WHERE ${[`(_copy = 1 OR ${unkeyed.join(' OR ')})`, ...notDeleted].join(' AND ')}`,
      ].join('\n');
    }
    case 'snapshot':
      return [
        `SELECT ${columnList(d, s.table, 't')} FROM ${source} AS t`,
        `JOIN (SELECT shop, MAX(run_id) AS run_id FROM ${d.name(COMMITTED_FILES)} WHERE table_name IN (${s.tables.map((t) => `'${t}'`).join(', ')}) GROUP BY shop) AS latest`,
        '  ON latest.shop = t._shop AND latest.run_id = t._run_id',
      ].join('\n');
  }
}
