// The suite runs offline (issue 13, point 15): the part of Shopify's Admin schema the tests use is
// committed under test/support/admin-schema/ with where it came from, and loading it asks no registry.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = join(ROOT, 'test/support/admin-schema');

describe("Shopify's Admin schema for the tests", () => {
  it('is committed with its provenance: package, version, file, date and sha256 of the source, and the sha256 of the trimmed copy', () => {
    const provenance = JSON.parse(readFileSync(join(DATA, 'admin_2026-10.provenance.json'), 'utf8')) as Record<string, unknown>;
    expect(provenance).to.include({ package: '@shopify/dev-mcp', file: 'package/dist/data/admin_2026-10.json.gz', script: 'scripts/refresh-admin-schema.ts' });
    expect(provenance.version).to.match(/^\d+\.\d+\.\d+$/);
    expect(provenance.refreshed).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(provenance.sourceSha256).to.match(/^[0-9a-f]{64}$/);
    expect(provenance.sha256).to.equal(createHash('sha256').update(readFileSync(join(DATA, 'admin_2026-10.json.gz'))).digest('hex'));
  });

  it('loads with no registry reachable, an empty npm cache and no .cache folder', function () {
    this.timeout(60_000);
    // A checkout of just the loader and its data, beside the project's node_modules.
    const dir = mkdtempSync(join(tmpdir(), 'etl-offline-schema-'));
    try {
      mkdirSync(join(dir, 'test/support'), { recursive: true });
      cpSync(join(ROOT, 'test/support/admin-schema.ts'), join(dir, 'test/support/admin-schema.ts'));
      cpSync(DATA, join(dir, 'test/support/admin-schema'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      mkdirSync(join(dir, 'npm-cache'));
      const script = "const { adminSchema } = await import('./test/support/admin-schema.ts'); const s = adminSchema('2026-10'); console.log(s.getQueryType().name, Object.keys(s.getType('Order').getFields()).includes('lineItems'));";
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(dir, 'npm-cache'), npm_config_offline: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out.trim()).to.equal('QueryRoot true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
