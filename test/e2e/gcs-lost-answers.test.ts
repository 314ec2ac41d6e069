// Issue 20's lost-answer acceptance: the real CLI, gs:// destination and gs:// state on the fake GCS
// server, and in each run the answer to one kind of GCS call is lost (the server carries the request
// out, then cuts the connection before answering). Every run must still exit 0 and leave nothing
// behind: no probe, no lock, no part file that no manifest lists, no manifest left running.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ManifestDocument } from '../../src/load/manifest.ts';
import { startSandbox } from 'shopify-sandbox';
import { runCli, type CliResult } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs, type RequestMatch } from '../support/fake-gcs.ts';
import pLimit from 'p-limit';

const UPLOAD = /^\/upload\//;
const STATE = 'etl/state.db';

interface Case {
  call: string;
  /** The request whose answer is lost: the n-th (default 1st) that matches. */
  lose: RequestMatch;
  n?: number;
  /** The call only happens once a state exists: run once without faults first. */
  afterARun?: boolean;
  /** More flags for the run under test. */
  args?: string[];
  /** How long the store takes over each bulk operation (default 50 ms). */
  operationDelayMs?: number;
}

const cases: Case[] = [
  { call: 'probe create', lose: { path: UPLOAD, object: /^prefix\/_probe\// } },
  { call: 'probe delete', lose: { method: 'DELETE', object: /^prefix\/_probe\// } },
  { call: 'lock create', lose: { path: UPLOAD, object: `${STATE}.lock` } },
  // The shortest lease renews the lock every second, and the operation takes 3 s, so the run renews
  // it a few times; the first write of the lock object is its creation.
  { call: 'lock renew', lose: { path: UPLOAD, object: `${STATE}.lock` }, n: 2, args: ['--lock-lease', '3s'], operationDelayMs: 3000 },
  { call: 'lock release', lose: { method: 'DELETE', object: `${STATE}.lock` } },
  // The first GET reads the state's metadata, the second its bytes.
  { call: 'state download', lose: { method: 'GET', object: STATE }, n: 2, afterARun: true },
  { call: 'state upload', lose: { path: UPLOAD, object: STATE } },
  { call: 'part upload', lose: { path: UPLOAD, object: /\.ndjson\.gz$/ } },
  // The second manifest write is the one that lists the committed window.
  { call: 'manifest write', lose: { path: UPLOAD, object: /^prefix\/_manifests\// }, n: 2 },
  { call: 'schema write', lose: { path: UPLOAD, object: /^prefix\/_schemas\// } },
];

/** What one case's run left on its own fake GCS server. */
interface Outcome {
  result: CliResult;
  fake: FakeGcs;
  /** Requests of the run under test (not of the setup run). */
  from: number;
  orderIds: string[];
}

describe('a lost GCS answer on each call the job makes still ends in exit 0 with nothing orphaned', function () {
  this.timeout(240_000);
  const outcomes = new Map<string, Outcome>();
  const cleanups: Array<() => Promise<void>> = [];

  // Each case has its own sandbox store, fake GCS server and folder, so the runs go side by side (a
  // run mostly waits: on Shopify's operation, on the retry after the lost answer).
  before(async () => {
    const all: Array<Case & { outage?: number }> = [...cases, { call: 'outage', lose: { path: UPLOAD, object: /\.ndjson\.gz$/ }, outage: 3000 }];
    const limit = pLimit(4);
    await Promise.all(all.map((c) => limit(async () => outcomes.set(c.call, await runCase(c)))));
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function runCase(c: Case & { outage?: number }): Promise<Outcome> {
    const fake = createFakeGcs();
    const endpoint = await fake.listen(0);
    const sandbox = await startSandbox({ operationDelayMs: c.operationDelayMs ?? 50, size: { orders: 40 } });
    const dir = mkdtempSync(join(tmpdir(), 'etl-lost-'));
    cleanups.push(async () => {
      await sandbox.close();
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    });
    fake.createBucket('b');
    const etl = (args: string[] = []): Promise<CliResult> =>
      runCli(
        ['run', '--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--log-format', 'json', '--poll-interval', '100ms', '--gcs-endpoint', endpoint,
          // A fresh staging folder each run: on Cloud Run the disk does not outlive the execution.
          '--entities', 'orders', '--dest', 'gs://b/prefix', '--state', `gs://b/${STATE}`, '--staging', mkdtempSync(join(dir, 'staging-')), ...args],
        { SHOPIFY_ACCESS_TOKEN: sandbox.token },
      );
    if (c.afterARun) {
      const first = await etl();
      if (first.code !== 0) throw new Error(`the setup run of '${c.call}' exited ${first.code}: ${first.stderr.slice(-2000)}`);
    }
    const from = fake.requests.length;
    if (c.outage) fake.faults.outageOn(c.lose, c.outage, c.n ?? 1);
    else fake.faults.loseAnswer(c.lose, c.n ?? 1);
    return { result: await etl(c.args), fake, from, orderIds: sandbox.store.ids('orders') };
  }

  for (const c of cases) {
    it(c.call, () => {
      const { result, fake, from, orderIds } = outcomes.get(c.call)!;
      expect(result.code, result.stderr.slice(-2000)).to.equal(0);
      const lost = fake.requests.slice(from).filter((r) => r.injected);
      expect(lost.map((r) => r.status), 'exactly one answer was lost').to.deep.equal([0]);
      expectNothingOrphaned(fake, orderIds);
    });
  }

  it('a GCS outage (connection refused for 3 s) in the middle of the part uploads', () => {
    const { result, fake, orderIds } = outcomes.get('outage')!;
    expect(result.code, result.stderr.slice(-2000)).to.equal(0);
    expectNothingOrphaned(fake, orderIds);
  });
});

/** No probe or lock left; every part listed by exactly one manifest entry, every manifest succeeded, every order published once. */
function expectNothingOrphaned(fake: FakeGcs, orderIds: string[]): void {
  const objects = fake.objects('b');
  const names = objects.map((o) => o.name);
  expect(names.filter((n) => n.includes('_probe/')), 'probe objects').to.deep.equal([]);
  expect(names, 'the lock is released').not.to.include(`${STATE}.lock`);
  expect(names, 'the state is published').to.include(STATE);
  const docs = objects.filter((o) => o.name.startsWith('prefix/_manifests/')).map((o) => JSON.parse(o.bytes.toString('utf8')) as ManifestDocument);
  expect(docs.map((d) => d.status)).to.deep.equal(docs.map(() => 'succeeded'));
  const listed = docs.flatMap((d) => d.windows.flatMap((w) => w.files.map((f) => `prefix/${f.objectName}`)));
  expect(new Set(listed).size, 'no file listed twice').to.equal(listed.length);
  expect([...listed].sort()).to.deep.equal(names.filter((n) => n.endsWith('.ndjson.gz')).sort());
  const ids = objects
    .filter((o) => o.name.startsWith('prefix/orders/') && o.name.endsWith('.ndjson.gz'))
    .flatMap((o) => gunzipSync(o.bytes).toString('utf8').split('\n').filter(Boolean))
    .map((line) => String((JSON.parse(line) as { admin_graphql_api_id: unknown }).admin_graphql_api_id));
  expect([...ids].sort()).to.deep.equal([...orderIds].sort());
}
