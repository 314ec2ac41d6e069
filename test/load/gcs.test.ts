// GcsDestination beyond the shared contract: how it talks to GCS (preconditions, content type,
// resumable chunks), what check() says when access is missing, and surviving injected faults.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors/index.ts';
import { parseGsUrl } from '../../src/gcs/index.ts';
import { GcsDestination } from '../../src/load/gcs.ts';
import { openDestination } from '../../src/load/index.ts';
import { createFakeGcs, fastRetryOptions } from '../support/fake-gcs.ts';
import type { FakeGcs, RequestMatch } from '../support/fake-gcs.ts';
import { crc32cOf, ndjsonGz, Staging } from '../support/staged-file.ts';
import { etlFailure } from '../support/failure.ts';
import { LOCALHOST_TLS } from '../support/tls/localhost.ts';

const KiB = 1024;

describe('GcsDestination', () => {
  let fake: FakeGcs;
  let endpoint: string;
  const staging = new Staging();

  beforeEach(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
    fake.createBucket('etl');
  });
  afterEach(async () => {
    await fake.close();
    await staging.cleanup();
  });

  function destination(bucket = 'etl'): GcsDestination {
    return new GcsDestination({
      bucket,
      prefix: '/out/',
      apiEndpoint: endpoint,
      retryOptions: fastRetryOptions,
      resumableThreshold: 512 * KiB,
      chunkSize: 256 * KiB,
    });
  }

  it('names itself gs://bucket/prefix', () => {
    expect(destination().url).to.equal('gs://etl/out');
    expect(new GcsDestination({ bucket: 'etl', prefix: '', apiEndpoint: endpoint }).url).to.equal('gs://etl');
  });

  it('ends with TLS_CERT_INVALID naming the endpoint when its certificate does not verify', async () => {
    const secure = https.createServer(LOCALHOST_TLS, (_req, res) => res.end());
    await new Promise<void>((resolve) => secure.listen(0, 'localhost', resolve));
    const host = `localhost:${(secure.address() as AddressInfo).port}`;
    try {
      const err = await etlFailure(new GcsDestination({ bucket: 'etl', prefix: 'out', apiEndpoint: `https://${host}`, retryOptions: fastRetryOptions }).check());
      expect(err.code).to.equal(ErrorCodes.TLS_CERT_INVALID);
      expect(err.message).to.include(host);
      expect(err.message).to.include('NODE_EXTRA_CA_CERTS');
      expect(err.details).to.include({ certificateError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      secure.closeAllConnections();
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  it('uploads with ifGenerationMatch=0, application/gzip, no contentEncoding, and the declared crc32c', async () => {
    const bytes = ndjsonGz(20);
    const result = await destination().upload(await staging.stage('t/part-00000.ndjson.gz', bytes, 20));
    const stored = fake.object('etl', 'out/t/part-00000.ndjson.gz');
    expect(stored?.contentType).to.equal('application/gzip');
    expect(stored?.contentEncoding).to.equal(undefined);
    expect(stored?.metadata).to.deep.equal({ rows: '20' });
    expect(stored?.crc32c).to.equal(crc32cOf(bytes));
    expect(result.generation).to.equal(stored?.generation);
    const upload = fake.requests.find((r) => r.path.startsWith('/upload/'));
    expect(upload?.query).to.include({ uploadType: 'multipart', ifGenerationMatch: '0' });
  });

  it('uploads a large file in resumable chunks and resumes after a dropped connection', async () => {
    const bytes = ndjsonGz(10, 'resume', 900 * KiB);
    fake.faults.dropUploadAfterBytes(200 * KiB, 1);
    const result = await destination().upload(await staging.stage('t/big.ndjson.gz', bytes));
    expect(result.skipped).to.equal(false);
    expect(fake.object('etl', 'out/t/big.ndjson.gz')?.crc32c).to.equal(crc32cOf(bytes));
    expect(fake.requests.some((r) => r.status === 0)).to.equal(true);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.query.uploadType === 'resumable')).to.have.length(1);
    expect(fake.requests.find((r) => r.query.uploadType === 'resumable')?.query.ifGenerationMatch).to.equal('0');
  });

  it('reports a skipped resumable re-upload with the existing generation', async () => {
    const bytes = ndjsonGz(10, 'again', 600 * KiB);
    const first = await destination().upload(await staging.stage('t/big.ndjson.gz', bytes));
    const second = await destination().upload(await staging.stage('t/big.ndjson.gz', bytes));
    expect(second).to.deep.equal({ objectName: 't/big.ndjson.gz', skipped: true, generation: first.generation });
  });

  it('names the object in a DEST_CONFLICT', async () => {
    fake.putObject('etl', 'out/t/part.ndjson.gz', 'someone else');
    const err = await etlFailure(destination().upload(await staging.stage('t/part.ndjson.gz', ndjsonGz(1))));
    expect(err.code).to.equal('DEST_CONFLICT');
    expect(err.message).to.contain('gs://etl/out/t/part.ndjson.gz');
  });

  it('writeJson with replace writes over the generation it read', async () => {
    const dest = destination();
    await dest.writeJson('_schemas/orders.json', { v: 1 }, { replace: true });
    const g1 = fake.object('etl', 'out/_schemas/orders.json')?.generation;
    await dest.writeJson('_schemas/orders.json', { v: 2 }, { replace: true });
    const writes = fake.requests.filter((r) => r.path.startsWith('/upload/')).map((r) => r.query.ifGenerationMatch);
    expect(writes).to.deep.equal(['0', g1]);
  });

  it('check() leaves no probe behind, nor the one a run killed between its probe\'s create and delete left', async () => {
    fake.putObject('etl', 'out/_probe/4242-1796196077719', 'ok\n');
    await destination().check();
    expect(fake.objects('etl').map((o) => o.name)).to.deep.equal([]);
  });

  it('check() stops on a missing bucket, naming it and the role to grant', async () => {
    const err = await etlFailure(destination('no-such-bucket').check());
    expect(err.code).to.equal('DEST_UNWRITABLE');
    expect(err.message).to.contain('gs://no-such-bucket').and.contain('roles/storage.objectUser');
  });

  it('check() stops on a 403, naming the bucket and the role to grant', async () => {
    fake.forbid('etl');
    const err = await etlFailure(destination().check());
    expect(err.code).to.equal('DEST_PERMISSION');
    expect(err.message).to.contain('gs://etl').and.contain('roles/storage.objectUser');
  });

  it('still succeeds with a 503 on every 5th request, every object matching its CRC32C', async () => {
    const dest = destination();
    fake.faults.failEvery(5, 503);
    await dest.check();
    const parts = [ndjsonGz(50, 'a'), ndjsonGz(60, 'b'), ndjsonGz(5, 'c', 700 * KiB)];
    for (const [i, bytes] of parts.entries()) await dest.upload(await staging.stage(`t/part-${i}.ndjson.gz`, bytes));
    await dest.writeJson('_manifests/run.json', { parts: parts.length }, { replace: true });
    expect(await dest.readJson('_manifests/run.json')).to.deep.equal({ parts: 3 });
    for (const [i, bytes] of parts.entries()) expect(fake.object('etl', `out/t/part-${i}.ndjson.gz`)?.crc32c).to.equal(crc32cOf(bytes));
    expect(fake.requests.filter((r) => r.injected).length).to.be.greaterThan(1);
  });

  it('a 503 answer to a read: the whole read is retried (no unhandled stream error)', async () => {
    const dest = destination();
    await dest.writeJson('_manifests/run.json', { parts: 1 }, { replace: true });
    fake.faults.failOn({ method: 'GET', object: 'out/_manifests/run.json' }, 503);
    expect(await dest.readJson('_manifests/run.json')).to.deep.equal({ parts: 1 });
    expect(fake.requests.filter((r) => r.injected).map((r) => r.status)).to.deep.equal([503]);
  });

  describe('a lost answer on each call is retried, and a retry that meets its own effect succeeds', () => {
    // Each case: what to do, the request whose answer is lost, and what must hold afterwards.
    const big = ndjsonGz(5, 'big', 700 * KiB);
    const cases: Array<{ call: string; lose: RequestMatch; n?: number; act(dest: GcsDestination): Promise<unknown>; then(): void }> = [
      {
        call: 'probe create',
        lose: { path: /^\/upload\//, object: /^out\/_probe\// },
        act: (dest) => dest.check(),
        then: () => expect(fake.objects('etl')).to.deep.equal([]),
      },
      {
        call: 'probe delete',
        lose: { method: 'DELETE', object: /^out\/_probe\// },
        act: (dest) => dest.check(),
        then: () => expect(fake.objects('etl')).to.deep.equal([]),
      },
      {
        call: 'simple part upload',
        lose: { path: /^\/upload\//, object: 'out/t/small.ndjson.gz' },
        act: async (dest) => expect(await dest.upload(await staging.stage('t/small.ndjson.gz', ndjsonGz(20, 's'), 20))).to.include({ objectName: 't/small.ndjson.gz' }),
        then: () => expect(fake.object('etl', 'out/t/small.ndjson.gz')?.crc32c).to.equal(crc32cOf(ndjsonGz(20, 's'))),
      },
      {
        call: 'last chunk of a resumable part upload',
        lose: { method: 'PUT', path: /^\/upload\//, object: 'out/t/big.ndjson.gz' },
        n: 3,
        act: async (dest) => dest.upload(await staging.stage('t/big.ndjson.gz', big)),
        then: () => expect(fake.object('etl', 'out/t/big.ndjson.gz')?.crc32c).to.equal(crc32cOf(big)),
      },
      {
        call: 'manifest write (replace)',
        lose: { path: /^\/upload\//, object: 'out/_manifests/run.json' },
        n: 2,
        act: async (dest) => {
          await dest.writeJson('_manifests/run.json', { v: 1 }, { replace: true });
          await dest.writeJson('_manifests/run.json', { v: 2 }, { replace: true });
        },
        then: () => expect(JSON.parse(fake.object('etl', 'out/_manifests/run.json')!.bytes.toString())).to.deep.equal({ v: 2 }),
      },
      {
        call: 'first write of an object (no replace)',
        lose: { path: /^\/upload\//, object: 'out/once.json' },
        act: (dest) => dest.writeJson('once.json', { once: true }, { replace: false }),
        then: () => expect(JSON.parse(fake.object('etl', 'out/once.json')!.bytes.toString())).to.deep.equal({ once: true }),
      },
      {
        call: 'delete',
        lose: { method: 'DELETE', object: 'out/t/gone.ndjson.gz' },
        act: async (dest) => {
          fake.putObject('etl', 'out/t/gone.ndjson.gz', 'x');
          await dest.delete('t/gone.ndjson.gz');
        },
        then: () => expect(fake.object('etl', 'out/t/gone.ndjson.gz')).to.equal(undefined),
      },
      {
        call: 'read',
        lose: { method: 'GET', object: 'out/r.json' },
        act: async (dest) => {
          fake.putObject('etl', 'out/r.json', '{"r":1}');
          expect(await dest.readJson('r.json')).to.deep.equal({ r: 1 });
        },
        then: () => undefined,
      },
      {
        call: 'list',
        lose: { method: 'GET', path: /\/b\/etl\/o$/ },
        act: async (dest) => {
          fake.putObject('etl', 'out/l/a', 'a');
          expect(await dest.list('l/')).to.deep.equal(['l/a']);
        },
        then: () => undefined,
      },
    ];
    for (const c of cases) {
      it(c.call, async () => {
        fake.faults.loseAnswer(c.lose, c.n ?? 1);
        const dest = destination();
        await c.act(dest);
        c.then();
        expect(fake.requests.filter((r) => r.injected && r.status === 0), 'the answer was lost').to.have.length(1);
      });
    }
  });

  it('check() waits out a refused connection (an endpoint restarting) instead of failing at once', async () => {
    fake.faults.outageOn({ path: /^\/upload\//, object: /^out\/_probe\// }, 1500);
    await destination().check();
    expect(fake.objects('etl')).to.deep.equal([]);
    expect(fake.requests.filter((r) => r.injected)).to.have.length(1);
  });

  it('is what openDestination builds for gs:// with --gcs-endpoint', async () => {
    const dest = await openDestination('gs://etl/exports/acme', { gcsEndpoint: endpoint });
    expect(dest).to.be.instanceOf(GcsDestination);
    expect(dest.url).to.equal('gs://etl/exports/acme');
    await dest.writeJson('x.json', { ok: true }, { replace: false });
    expect(fake.object('etl', 'exports/acme/x.json')?.contentType).to.equal('application/json');
  });

  it('parses gs:// URLs and refuses others', () => {
    expect(parseGsUrl('gs://b/k/ey.db')).to.deep.equal({ bucket: 'b', key: 'k/ey.db' });
    expect(parseGsUrl('gs://b')).to.deep.equal({ bucket: 'b', key: '' });
    expect(() => parseGsUrl('s3://b/k')).to.throw(/not a gs:\/\/ URL/);
  });
});
