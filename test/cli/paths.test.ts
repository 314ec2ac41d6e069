// Local paths (destination, staging, state) are checked before the first call to Shopify, and a
// state file that cannot be written or read stops with its own code, the path and what to do.
import { expect } from 'chai';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import { runCli, type CliResult } from '../support/cli.ts';
import { createFakeGcs } from '../support/fake-gcs.ts';

/** The code and message of each ERROR line the run logged for a shop. */
function shopErrors(result: CliResult): Array<{ code: unknown; message: string }> {
  return result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.severity === 'ERROR' && e.message !== 'job summary').map((e) => ({ code: e.code, message: String(e.message) }));
}

describe('local paths and the state file', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  before(async () => { sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 5 } }); });
  after(() => sandbox.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-paths-'));
    writeFileSync(join(dir, 'a-file'), 'not a folder\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(paths: { dest?: string; state?: string; staging?: string }, more: string[] = []): Promise<CliResult> {
    const flags = { dest: join(dir, 'out'), state: join(dir, 'state.db'), staging: join(dir, 'staging'), ...paths };
    return runCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--log-format', 'json', '--poll-interval', '50ms',
      ...Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, value]), ...more], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
  }

  /** A real state database whose second page is overwritten: SQLite then calls it malformed. */
  function damagedState(path: string): void {
    StateDb.open(path).close();
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 4096);
    closeSync(fd);
  }

  it('every unwritable local path stops with exit 2, its own code, the path and the fix, before Shopify is called', async () => {
    const inFile = join(dir, 'a-file', 'x');
    mkdirSync(join(dir, 'a-folder'));
    damagedState(join(dir, 'damaged.db'));
    writeFileSync(join(dir, 'not-sqlite.db'), 'hello, this is no database\n'.repeat(200));
    const cases: Array<[Parameters<typeof run>[0], string, string]> = [
      [{ dest: inFile }, 'DEST_UNWRITABLE', `destination ${inFile} is not a folder (it or a parent is a file); choose another --dest`],
      [{ staging: inFile }, 'DEST_UNWRITABLE', `staging folder ${inFile} is not a folder (it or a parent is a file); choose another --staging`],
      [{ state: join(inFile, 'state.db') }, 'STATE_UNWRITABLE', `cannot write the state database ${join(inFile, 'state.db')}: ${join(dir, 'a-file')} is a file where a folder is needed; make the file and its folder writable, or choose another --state`],
      [{ state: join(dir, 'a-folder') }, 'STATE_UNWRITABLE', `cannot write the state database ${join(dir, 'a-folder')}: unable to open database file; make the file and its folder writable, or choose another --state`],
      [{ state: join(dir, 'damaged.db') }, 'STATE_UNREADABLE', `the state database ${join(dir, 'damaged.db')} is damaged (`],
      [{ state: join(dir, 'not-sqlite.db') }, 'STATE_UNREADABLE', `the state database ${join(dir, 'not-sqlite.db')} is damaged (file is not a database); restore it from a backup, or move it away to start over (the next run then extracts everything again)`],
    ];
    for (const [paths, code, message] of cases) {
      const before = sandbox.requests().length;
      const result = await run(paths);
      const what = JSON.stringify(paths);
      expect(result.code, `${what}\n${result.stderr}`).to.equal(2);
      const errors = shopErrors(result);
      expect(errors.map((e) => e.code), what).to.deep.equal([code]);
      expect(errors[0]!.message, what).to.contain(message);
      expect(sandbox.requests().length, `${what}: Shopify not called`).to.equal(before);
    }
  });

  it('a damaged gs:// state: exit 2, STATE_UNREADABLE naming the object (not only its local copy), the lock released', async () => {
    damagedState(join(dir, 'damaged.db'));
    const fake = createFakeGcs();
    const endpoint = await fake.listen(0);
    try {
      fake.createBucket('b');
      fake.putObject('b', 'etl/state.db', readFileSync(join(dir, 'damaged.db')));
      const before = sandbox.requests().length;
      const result = await run({ dest: join(dir, 'out'), state: 'gs://b/etl/state.db' }, ['--gcs-endpoint', endpoint]);
      expect(result.code, result.stderr).to.equal(2);
      const errors = shopErrors(result);
      expect(errors.map((e) => e.code)).to.deep.equal(['STATE_UNREADABLE']);
      expect(errors[0]!.message).to.match(new RegExp(`^${sandbox.shopDomain}: the state database gs://b/etl/state\\.db \\(copied to ${join(dir, 'staging')}/\\S+\\) is damaged \\(.+\\); restore it from a backup, or move it away to start over`));
      expect(fake.object('b', 'etl/state.db.lock'), 'lock released').to.equal(undefined);
      expect(sandbox.requests().length, 'Shopify not called').to.equal(before);
    } finally {
      await fake.close();
    }
  });

  it('status on a damaged state file: exit 2, one STATE_UNREADABLE log entry naming the path and the fix', async () => {
    damagedState(join(dir, 'damaged.db'));
    const result = await runCli(['status', '--state', join(dir, 'damaged.db')]);
    expect(result.code).to.equal(2);
    expect(result.stderr.trimEnd().split('\n')).to.have.length(1);
    const entry = JSON.parse(result.stderr) as { severity: string; code: string; message: string };
    expect(entry).to.include({ severity: 'ERROR', code: 'STATE_UNREADABLE' });
    expect(entry.message).to.match(new RegExp(`^the state database ${join(dir, 'damaged.db')} is damaged \\(.+\\); restore it from a backup, or move it away to start over`));
  });

  it('--dry-run needs no token and calls nothing', async () => {
    const before = sandbox.requests().length;
    const result = await runCli(['--shop', 'acme.myshopify.com', '--admin-url', sandbox.url, '--dry-run', '--log-format', 'pretty', '--entities', 'orders', '--since', '2026-01-01', '--until', '2026-01-02', '--state', join(dir, 'state.db'), '--dest', join(dir, 'out')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.contain('# plan: acme.myshopify.com orders [2026-01-01T00:00:00.000Z, 2026-01-02T00:00:00.000Z)');
    expect(sandbox.requests().length).to.equal(before);
  });
});
