// The demo's output, byte for byte: a first run over the sandbox's demo store, its data laid out before
// a fixed instant so it is the same every day, compared table by table with the digests in
// demo-output.json. Only what differs between any two runs is masked: the run id and the extraction
// time (the operation's completedAt). A restructuring of the code must leave this test passing;
// a change meant to alter the output regenerates the digests on purpose:
//
//   GOLDEN_UPDATE=1 npx mocha --timeout 120000 --exit test/golden/demo-output.test.ts
//
// and its commit says why the bytes changed.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runCli } from '../support/cli.ts';
import { partFiles, relativeFiles } from '../support/output.ts';

const GOLDEN = join(import.meta.dirname, 'demo-output.json');
/** The sandbox's data is laid out in the year before this instant, whatever day the test runs. */
const DATA_UNTIL = new Date('2026-06-01T00:00:00Z');

interface TableDigest {
  parts: number;
  rows: number;
  sha256: string;
}

interface Golden {
  tables: Record<string, TableDigest>;
  schemas: Record<string, string>;
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A table's rows over all its parts, in part order, with the run id and extraction time masked. */
function tableDigest(dest: string, table: string): TableDigest {
  const files = partFiles(dest, table);
  const text = files
    .map((f) => gunzipSync(readFileSync(f)).toString('utf8'))
    .join('')
    .replace(/"_run_id":"[^"]*"/g, '"_run_id":"RUN"')
    .replace(/"_extracted_at":"[^"]*"/g, '"_extracted_at":"TIME"');
  return { parts: files.length, rows: text.split('\n').length - 1, sha256: sha256(text) };
}

function digestOutput(dest: string): Golden {
  const files = relativeFiles(dest);
  const tables = [...new Set(files.filter((f) => !f.startsWith('_')).map((f) => f.split('/')[0]!))].sort();
  const schemas = files.filter((f) => f.startsWith('_schemas/')).sort();
  return {
    tables: Object.fromEntries(tables.map((t) => [t, tableDigest(dest, t)])),
    schemas: Object.fromEntries(schemas.map((f) => [f.slice('_schemas/'.length), sha256(readFileSync(join(dest, f)))])),
  };
}

describe('the demo output (golden)', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-golden-'));
    sandbox = await startSandbox({ seed: 1, operationDelayMs: 20, dataUntil: DATA_UNTIL });
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same bytes for every table and schema as the committed digests', async () => {
    const dest = join(dir, 'out');
    // The demo's own window (30 days, its default): the rows of a table span many windows' parts.
    const run = await runCli(
      ['run', '--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', dest, '--state', join(dir, 'state.db'), '--poll-interval', '20ms', '--log-format', 'json', '--window', '30d', '--deletes-every', '1d'],
      { SHOPIFY_ACCESS_TOKEN: sandbox.token },
    );
    expect(run.code, run.stderr).to.equal(0);
    const actual = digestOutput(dest);
    if (process.env['GOLDEN_UPDATE'] === '1') writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    expect(Object.keys(actual.tables), 'tables written').to.deep.equal(Object.keys(golden.tables));
    for (const [table, digest] of Object.entries(golden.tables)) expect(actual.tables[table], `table ${table}`).to.deep.equal(digest);
    expect(actual.schemas, '_schemas/').to.deep.equal(golden.schemas);
  });
});
