// The README's commands and code tables, against what the code does.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deletionsTable } from '../../src/entities/deletions.ts';
import { entities } from '../../src/entities/index.ts';
import { ErrorCodes, ExitCodes, policyOf, type ErrorCode } from '../../src/errors/index.ts';
import { withDist } from '../support/dist-lock.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');

/** A policy as the README's table writes it: the action, then the alternative if any, and the exit code. */
function written(code: ErrorCode): { scope: string; action: string; exit: string } {
  const p = policyOf(code);
  return {
    scope: p.scope,
    action: [p.action, p.alternative].filter(Boolean).map((a) => `\`${a}\``).join(', or '),
    exit: code === ErrorCodes.INTERRUPTED ? `${ExitCodes.SIGINT}/${p.exit}` : String(p.exit),
  };
}

describe('README', function () {
  this.timeout(60_000);

  it('lists every error code once, with its policy: scope, action and the exit code the job ends with', () => {
    const table = README.slice(README.indexOf('| code | scope | action | exit |'));
    const lines = table.split('\n');
    const rows = lines.slice(2, lines.findIndex((l) => !l.startsWith('|'))).map((l) => l.split('|').map((c) => c.trim()));
    const documented = rows.flatMap(([, codes, scope, action, exit]) => [...codes!.matchAll(/`([A-Z_]+)`/g)].map((m) => [m[1] as ErrorCode, { scope, action, exit }] as const));
    expect(documented.map(([code]) => code).sort()).to.deep.equal(Object.values(ErrorCodes).sort());
    for (const [code, policy] of documented) expect(policy, code).to.deep.equal(written(code));
  });

  it('lists every entity in the table of tables with its tables, sync kind and scopes, as the registry declares them', () => {
    const table = README.slice(README.indexOf('| entity | tables | sync | scopes |'));
    const lines = table.split('\n');
    const rows = lines.slice(2, lines.findIndex((l) => !l.startsWith('|'))).map((l) => l.split('|').map((c) => c.trim()));
    const names = (cell: string) => [...cell.replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    const all = rows.map(([, entity, tables, sync, scopes]) => ({ entity: names(entity!)[0], tables: names(tables!), sync: sync!.split(' ')[0], scopes: names(scopes!) }));
    // One row is the deletions stage's, not an entity's: it names the one table no entity writes.
    const [stage, ...others] = all.filter((row) => row.entity === undefined);
    expect(others, 'rows without an entity name').to.deep.equal([]);
    expect(stage?.tables).to.deep.equal([deletionsTable.def.name]);
    const documented = all.filter((row) => row !== stage);
    const sync = (e: (typeof entities)[number]) => (e.incremental ? 'incremental' : 'snapshot');
    const byName = (a: { entity?: string }, b: { entity?: string }) => a.entity!.localeCompare(b.entity!);
    expect(documented.sort(byName)).to.deep.equal(entities.map((e) => ({ entity: e.name, tables: e.tables.map((t) => t.name), sync: sync(e), scopes: [...e.scopes] })).sort(byName));
  });

  it('writes the CLI the way it runs from a checkout, and that command answers', async () => {
    // No `bin` exists before `npm run build`, so a bare `shopify-bulk-etl …` is not found in a checkout.
    expect(README.match(/`shopify-bulk-etl (?:run|status|sandbox|--)[^`]*`/g) ?? []).to.deep.equal([]);
    let stdout = '';
    const code = await withDist(() => {
      const child = spawn('npm', ['start', '--silent', '--', '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
      return new Promise((done) => child.on('close', done));
    });
    expect(code).to.equal(0);
    for (const command of ['run', 'status']) expect(stdout).to.match(new RegExp(`shopify-bulk-etl ${command}\\b`));
    // The simulated store is the shopify-sandbox package's own command, not one of the ETL's.
    expect(stdout).not.to.match(/shopify-bulk-etl sandbox\b/);
  });
});
