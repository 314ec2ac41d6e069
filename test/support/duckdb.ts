// The current-state views as a user runs them: the SQL `shopify-bulk-etl views --dialect duckdb` prints
// for a destination and its runs' state, executed by an embedded DuckDB, and the rows of a view read back
// as JSON values.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { runCli } from './cli.ts';

export type ViewRow = Record<string, unknown>;

export class DuckViews {
  private readonly connection: DuckDBConnection;
  private readonly instance: DuckDBInstance;

  private constructor(connection: DuckDBConnection, instance: DuckDBInstance) {
    this.connection = connection;
    this.instance = instance;
  }

  /** An in-memory database holding the views the CLI prints for `dest` and its `state` (by default where runAgainst keeps it: beside the folder). */
  static async of(dest: string, state = join(dirname(dest), 'state.db')): Promise<DuckViews> {
    const printed = await runCli(['views', '--dialect', 'duckdb', '--dest', dest, '--state', state]);
    expect(printed.code, printed.stderr).to.equal(0);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(printed.stdout);
    return new DuckViews(connection, instance);
  }

  async rows(sql: string): Promise<ViewRow[]> {
    return (await this.connection.runAndReadAll(sql)).getRowObjectsJson() as ViewRow[];
  }

  /** A relation's rows without the run columns (which copy was read, not what it holds), in a stable order. */
  async contents(relation: string): Promise<string[]> {
    const rows = await this.rows(`SELECT * EXCLUDE (_run_id, _extracted_at) FROM "${relation}"`);
    return rows.map((r) => JSON.stringify(r)).sort();
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
