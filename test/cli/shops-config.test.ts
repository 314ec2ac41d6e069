// The shops file, the task split and per-shop state names, through parseConfig as the CLI uses them.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type RunConfig } from '../../src/cli/config.ts';
import { perShopStatePath, shardShops } from '../../src/cli/shops.ts';

describe('shops file and sharding', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-shops-config-'));
    file = join(dir, 'shops.yaml');
    writeFileSync(join(dir, 'beta-token'), 'shpat_beta_token_value\n');
    writeFileSync(file, [
      'shops:',
      '  - { shop: delta.myshopify.com, tokenEnv: DELTA_TOKEN }',
      '  - { shop: Alpha.myshopify.com, tokenEnv: ALPHA_TOKEN }',
      `  - { shop: beta.myshopify.com, tokenFile: ${join(dir, 'beta-token')}, adminUrl: "http://127.0.0.1:9999" }`,
      '  - { shop: gamma.myshopify.com }',
    ].join('\n'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(args: string[], env: Record<string, string>): Promise<RunConfig> {
    const config = await parseConfig(['--state', 'gs://bucket/etl/state.db', ...args], env, false);
    if (config?.command !== 'run') throw new Error('expected a run config');
    return config;
  }

  it('splits the sorted shops across tasks: every shop in exactly one task, whatever the file order', async () => {
    const env = { ALPHA_TOKEN: 'shpat_alpha_token_value', SHOPIFY_CLIENT_ID: 'org-app-id', SHOPIFY_CLIENT_SECRET: 'org-app-secret' };
    const byTask = await Promise.all([0, 1, 2].map(async (i) => (await run(['--shops-file', file], { ...env, CLOUD_RUN_TASK_INDEX: String(i), CLOUD_RUN_TASK_COUNT: '3' })).shops.map((s) => s.shop)));
    expect(byTask).to.deep.equal([['alpha.myshopify.com', 'gamma.myshopify.com'], ['beta.myshopify.com'], ['delta.myshopify.com']]);
    const k8s = await run(['--shops-file', file], { ...env, JOB_COMPLETION_INDEX: '1', SHARD_COUNT: '3' });
    expect(k8s.shops.map((s) => s.shop)).to.deep.equal(['beta.myshopify.com']);
    expect(k8s.shard).to.deep.equal({ index: 1, count: 3, totalShops: 4 });
  });

  it('refuses --models in a job split across tasks (each would model the others\' shops mid-run), not in one task', async () => {
    const env = { ALPHA_TOKEN: 'shpat_alpha_token_value', SHOPIFY_CLIENT_ID: 'org-app-id', SHOPIFY_CLIENT_SECRET: 'org-app-secret' };
    const local = ['--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--shops-file', file, '--models'];
    await parseConfig(local, { ...env, CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '3' }, false).then(
      () => expect.fail('accepted --models in 3 tasks'),
      (err: Error) => expect(err.message).to.include('split across 3 tasks').and.include('models command once after the job'),
    );
    expect(((await parseConfig(local, env, false)) as RunConfig).models).to.not.equal(null);
  });

  it('gives each shop its own state, credentials and admin URL; a missing secret marks that shop only', async () => {
    const config = await run(['--shops-file', file], { ALPHA_TOKEN: 'shpat_alpha_token_value', SHOPIFY_CLIENT_ID: 'org-app-id', SHOPIFY_CLIENT_SECRET: 'org-app-secret' });
    const byShop = Object.fromEntries(config.shops.map((s) => [s.shop, s]));
    expect(byShop['alpha.myshopify.com']).to.deep.include({ state: 'gs://bucket/etl/state-alpha.myshopify.com.db', adminUrl: 'https://alpha.myshopify.com', auth: { kind: 'token', token: 'shpat_alpha_token_value' } });
    expect(byShop['beta.myshopify.com']).to.deep.include({ adminUrl: 'http://127.0.0.1:9999', auth: { kind: 'token', token: 'shpat_beta_token_value' } });
    expect(byShop['gamma.myshopify.com']?.auth).to.deep.equal({ kind: 'client-credentials', clientId: 'org-app-id', clientSecret: 'org-app-secret' });
    expect(byShop['delta.myshopify.com']?.auth).to.deep.equal({ kind: 'unavailable', message: 'no access token for delta.myshopify.com: env DELTA_TOKEN (its tokenEnv in the shops file) is not set' });
  });

  it('names per-shop state files next to the given one', () => {
    expect(perShopStatePath('/data/state.db', 'a.myshopify.com')).to.equal('/data/state-a.myshopify.com.db');
    expect(perShopStatePath('gs://b/k/state.db', 'a.myshopify.com')).to.equal('gs://b/k/state-a.myshopify.com.db');
    expect(perShopStatePath('/data/state', 'a.myshopify.com')).to.equal('/data/state-a.myshopify.com');
    expect(shardShops([{ shop: 'b' }, { shop: 'a' }, { shop: 'c' }], { index: 0, count: 2 })).to.deep.equal([{ shop: 'a' }, { shop: 'c' }]);
  });

  it('rejects a bad shops file or shard settings with a message that says what to fix', async () => {
    const bad = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--shops-file', join(dir, 'absent.json')], {}, /cannot read --shops-file .*ENOENT/],
      [['--shops-file', bad('a.json', '{"shops": [')], {}, /is not valid JSON/],
      [['--shops-file', bad('b.json', '{"shops": []}')], {}, /at least one shop/],
      [['--shops-file', bad('c.json', '{"shops": [{"shop": "a.myshopify.com", "token": "x"}]}')], {}, /unknown key token/],
      [['--shops-file', bad('d.json', '{"shops": [{"shop": "a.myshopify.com", "tokenEnv": "A", "tokenFile": "/x"}]}')], {}, /only one of/],
      [['--shops-file', bad('e.json', '{"shops": [{"shop": "a.myshopify.com", "clientIdEnv": "A"}]}')], {}, /go together/],
      [['--shops-file', bad('f.json', '{"shops": [{"shop": "a.myshopify.com"}, {"shop": "A.myshopify.com"}]}')], {}, /lists a\.myshopify\.com twice/],
      [['--shops-file', bad('g.json', '{"shops": [{"shop": "shop.example.com"}]}')], {}, /not a myshopify domain/],
      [['--shops-file', file, '--shop', 'a.myshopify.com'], {}, /use one/],
      [['--shops-file', file], { JOB_COMPLETION_INDEX: '0' }, /SHARD_COUNT/],
      [['--shops-file', file], { CLOUD_RUN_TASK_INDEX: '2', CLOUD_RUN_TASK_COUNT: '2' }, /not below the task count 2/],
      [['--shops-file', file, '--shard-count', '0'], {}, /whole number ≥ 1/],
    ];
    for (const [args, env, message] of cases) {
      let error: Error | undefined;
      try {
        await run(args, env);
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message, args.join(' ')).to.match(message);
    }
  });
});
