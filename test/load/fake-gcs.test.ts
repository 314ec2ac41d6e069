// The fake GCS server held to the official client's protocol: every feature is driven through
// @google-cloud/storage over real HTTP, so a passing test means the client accepts the answers.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CRC32C, Storage } from '@google-cloud/storage';
import { expect } from 'chai';
import { createFakeGcs, fastRetryOptions } from '../support/fake-gcs.ts';
import type { FakeGcs } from '../support/fake-gcs.ts';

const MiB = 2 ** 20;

function crc32c(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: unknown }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  throw new Error('expected a rejection');
}

describe('fake GCS server (driven by @google-cloud/storage)', () => {
  let fake: FakeGcs;
  let endpoint: string;
  let storage: Storage;

  beforeEach(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
    storage = new Storage({ apiEndpoint: endpoint, projectId: 'test', retryOptions: fastRetryOptions });
  });
  afterEach(() => fake.close());

  describe('buckets', () => {
    it('creates and reads a bucket on the /storage/v1 base path', async () => {
      const [bucket] = await storage.createBucket('made-here');
      const [meta] = await bucket.getMetadata();
      expect(meta.name).to.equal('made-here');
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['POST /storage/v1/b', 'GET /storage/v1/b/made-here']);
    });

    it('answers 404 for a missing bucket, on reads and on uploads', async () => {
      expect((await rejection(storage.bucket('nope').getMetadata())).code).to.equal(404);
      const err = await rejection(storage.bucket('nope').file('a').save('x', { resumable: false }));
      expect(err.code).to.equal(404);
      expect(err.message).to.contain('The specified bucket does not exist.');
      expect((await storage.bucket('nope').exists())[0]).to.equal(false);
    });

    it('answers 403 with GCS error JSON on a forbidden bucket', async () => {
      fake.createBucket('locked');
      fake.forbid('locked');
      const err = await rejection(storage.bucket('locked').file('a').save('x', { resumable: false }));
      expect(err.code).to.equal(403);
      expect(err.message).to.contain("Permission 'storage.objects.create' denied");
      const get = await rejection(storage.bucket('locked').getMetadata());
      expect(get.code).to.equal(403);
      expect(get.message).to.contain('storage.buckets.get');
    });
  });

  describe('uploads', () => {
    beforeEach(() => fake.createBucket('b'));

    it('stores a multipart upload with its content type, metadata and hashes', async () => {
      const bytes = Buffer.from('{"a":1}\n');
      const file = storage.bucket('b').file('dir/one.json');
      await file.save(bytes, { resumable: false, contentType: 'application/json', metadata: { metadata: { rows: '1' } } });
      const stored = fake.object('b', 'dir/one.json');
      expect(stored?.bytes.equals(bytes)).to.equal(true);
      expect(stored?.contentType).to.equal('application/json');
      expect(stored?.metadata).to.deep.equal({ rows: '1' });
      expect(file.metadata.crc32c).to.equal(crc32c(bytes));
      expect(file.metadata.md5Hash).to.equal(md5(bytes));
      expect(Number(file.metadata.size)).to.equal(bytes.length);
      expect(fake.requests.at(-1)?.query.uploadType).to.equal('multipart');
    });

    it('stores a media upload (uploadType=media, which the client never sends)', async () => {
      const res = await fetch(`${endpoint}/upload/storage/v1/b/b/o?uploadType=media&name=raw.bin`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: 'raw bytes',
      });
      const body = (await res.json()) as { name: string; crc32c: string; generation: string };
      expect(res.status).to.equal(200);
      expect(body.name).to.equal('raw.bin');
      expect(body.crc32c).to.equal(crc32c(Buffer.from('raw bytes')));
      const [downloaded] = await storage.bucket('b').file('raw.bin').download();
      expect(downloaded.toString()).to.equal('raw bytes');
    });

    it('runs a single-request resumable upload (Content-Range bytes 0-*/*)', async () => {
      const bytes = randomBytes(300 * 1024);
      await storage.bucket('b').file('single.bin').save(bytes, { resumable: true });
      expect(fake.object('b', 'single.bin')?.bytes.equals(bytes)).to.equal(true);
      const puts = fake.requests.filter((r) => r.method === 'PUT');
      expect(puts.map((r) => [r.contentRange, r.status])).to.deep.equal([[`bytes 0-*/*`, 200]]);
    });

    it('runs a chunked resumable upload with 308s until the last chunk', async () => {
      const bytes = randomBytes(2 * MiB + 123);
      const file = storage.bucket('b').file('big.bin');
      await file.save(bytes, { resumable: true, chunkSize: MiB, preconditionOpts: { ifGenerationMatch: 0 } });
      expect(fake.object('b', 'big.bin')?.md5Hash).to.equal(md5(bytes));
      expect(file.metadata.crc32c).to.equal(crc32c(bytes));
      const puts = fake.requests.filter((r) => r.method === 'PUT').map((r) => [r.contentRange, r.status]);
      expect(puts).to.deep.equal([
        ['bytes 0-1048575/*', 308],
        ['bytes 1048576-2097151/*', 308],
        [`bytes 2097152-${bytes.length - 1}/${bytes.length}`, 200],
      ]);
    });

    it('resumes a chunked upload after a dropped connection and ends with the right md5 and crc32c', async () => {
      const bytes = randomBytes(3 * MiB + 5);
      fake.faults.dropUploadAfterBytes(MiB + 300 * 1024, 1);
      const file = storage.bucket('b').file('resumed.bin');
      await file.save(bytes, { resumable: true, chunkSize: 2 * MiB, preconditionOpts: { ifGenerationMatch: 0 } });
      const stored = fake.object('b', 'resumed.bin');
      expect(stored?.md5Hash).to.equal(md5(bytes));
      expect(stored?.crc32c).to.equal(crc32c(bytes));
      expect(file.metadata.md5Hash).to.equal(md5(bytes));
      const dropped = fake.requests.find((r) => r.status === 0);
      expect(dropped?.contentRange).to.equal('bytes 0-2097151/*');
      // The client asked where to resume, then went on from the 256 KiB boundary the server kept.
      const statusQuery = fake.requests.find((r) => r.contentRange === 'bytes */*');
      expect(statusQuery?.status).to.equal(308);
      expect(fake.requests.some((r) => r.contentRange?.startsWith(`bytes ${MiB + 256 * 1024}-`))).to.equal(true);
    });
  });

  describe('preconditions and generations', () => {
    beforeEach(() => fake.createBucket('b'));

    it('answers 412 to ifGenerationMatch=0 on an existing object, multipart and resumable', async () => {
      const file = storage.bucket('b').file('once.txt');
      await file.save('first', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
      const multipart = await rejection(file.save('second', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }));
      const resumable = await rejection(file.save('second', { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }));
      expect(multipart.code).to.equal(412);
      expect(gcsCode(resumable)).to.equal(412);
      expect(fake.object('b', 'once.txt')?.bytes.toString()).to.equal('first');
    });

    it('checks a resumable upload again when it completes', async () => {
      const file = storage.bucket('b').file('raced.txt');
      const writable = file.createWriteStream({ resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
      const done = new Promise<void>((resolve, reject) => writable.on('finish', resolve).on('error', reject));
      writable.write('ours ');
      // Another writer lands between the session's start and its last byte.
      await new Promise<void>((resolve) => writable.once('uri', () => resolve()));
      fake.putObject('b', 'raced.txt', 'theirs');
      writable.end('and more');
      expect(gcsCode(await rejection(done))).to.equal(412);
      expect(fake.object('b', 'raced.txt')?.bytes.toString()).to.equal('theirs');
    });

    it('gives each write a newer generation and honours ifGenerationMatch / ifGenerationNotMatch', async () => {
      const file = storage.bucket('b').file('g.txt');
      await file.save('v1', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
      const g1 = String(file.metadata.generation);
      await file.save('v2', { resumable: false, preconditionOpts: { ifGenerationMatch: g1 } });
      const g2 = String(file.metadata.generation);
      expect(BigInt(g2) > BigInt(g1)).to.equal(true);
      expect((await rejection(file.save('v3', { resumable: false, preconditionOpts: { ifGenerationMatch: g1 } }))).code).to.equal(412);
      expect((await rejection(file.save('v3', { resumable: false, preconditionOpts: { ifGenerationNotMatch: g2 } }))).code).to.equal(412);
      await file.save('v3', { resumable: false, preconditionOpts: { ifGenerationNotMatch: g1 } });
      expect(fake.object('b', 'g.txt')?.bytes.toString()).to.equal('v3');
    });

    it('honours preconditions on reads and deletes', async () => {
      const file = storage.bucket('b').file('r.txt');
      await file.save('data', { resumable: false });
      const generation = String(file.metadata.generation);
      expect((await rejection(file.getMetadata({ ifGenerationMatch: '1' }))).code).to.equal(412);
      const [meta] = await file.getMetadata({ ifGenerationMatch: generation });
      expect(meta.generation).to.equal(generation);
      expect((await rejection(file.delete({ ifGenerationMatch: '1' }))).code).to.equal(412);
      await file.delete({ ifGenerationMatch: generation });
      expect(fake.object('b', 'r.txt')).to.equal(undefined);
    });

    it('bumps the metageneration on a metadata patch and honours ifMetagenerationMatch', async () => {
      const file = storage.bucket('b').file('m.txt');
      await file.save('data', { resumable: false });
      await file.setMetadata({ metadata: { stage: 'one' } }, { ifMetagenerationMatch: '1' });
      expect(fake.object('b', 'm.txt')?.metageneration).to.equal('2');
      expect(fake.object('b', 'm.txt')?.metadata).to.deep.equal({ stage: 'one' });
      expect((await rejection(file.setMetadata({ metadata: { stage: 'two' } }, { ifMetagenerationMatch: '1' }))).code).to.equal(412);
      const write = await rejection(file.save('new', { resumable: false, preconditionOpts: { ifMetagenerationMatch: '1' } }));
      expect(write.code).to.equal(412);
    });
  });

  describe('reads, lists and deletes', () => {
    beforeEach(() => fake.createBucket('b'));

    it('sends x-goog-hash on downloads, which the client validates', async () => {
      const bytes = randomBytes(64 * 1024);
      const file = storage.bucket('b').file('h.bin');
      await file.save(bytes, { resumable: false });
      const [downloaded] = await file.download();
      expect(downloaded.equals(bytes)).to.equal(true);
      const res = await fetch(`${endpoint}/storage/v1/b/b/o/h.bin?alt=media`);
      expect(res.headers.get('x-goog-hash')).to.equal(`crc32c=${crc32c(bytes)},md5=${md5(bytes)}`);
      // Bytes that no longer match the stored hashes are caught by the client.
      const stored = fake.object('b', 'h.bin');
      if (stored) stored.bytes = Buffer.from(stored.bytes).fill(0, 0, 10);
      const corrupt = await rejection(file.download());
      expect(String(corrupt.code)).to.equal('CONTENT_DOWNLOAD_MISMATCH');
    });

    it('serves byte ranges', async () => {
      const file = storage.bucket('b').file('range.txt');
      await file.save('0123456789', { resumable: false });
      const [middle] = await file.download({ start: 2, end: 5 });
      expect(middle.toString()).to.equal('2345');
      const res = await fetch(`${endpoint}/storage/v1/b/b/o/range.txt?alt=media`, { headers: { range: 'bytes=-3' } });
      expect(res.status).to.equal(206);
      expect(res.headers.get('content-range')).to.equal('bytes 7-9/10');
      expect(await res.text()).to.equal('789');
    });

    it('lists with prefix, delimiter and paging', async () => {
      const names = ['a/1', 'a/2', 'a/sub/3', 'a/sub/4', 'a/x/5', 'b/6', 'top'];
      for (const name of names) fake.putObject('b', name, name);
      const bucket = storage.bucket('b');
      const [all] = await bucket.getFiles();
      expect(all.map((f) => f.name)).to.deep.equal(names);
      const [underA] = await bucket.getFiles({ prefix: 'a/' });
      expect(underA.map((f) => f.name)).to.deep.equal(['a/1', 'a/2', 'a/sub/3', 'a/sub/4', 'a/x/5']);
      const [direct, , response] = await bucket.getFiles({ prefix: 'a/', delimiter: '/', autoPaginate: false });
      expect(direct.map((f) => f.name)).to.deep.equal(['a/1', 'a/2']);
      expect((response as { prefixes?: string[] }).prefixes).to.deep.equal(['a/sub/', 'a/x/']);
      const [page1, next] = await bucket.getFiles({ maxResults: 3, autoPaginate: false });
      expect(page1.map((f) => f.name)).to.deep.equal(['a/1', 'a/2', 'a/sub/3']);
      const [page2, last] = await bucket.getFiles({ ...(next as object), autoPaginate: false });
      expect(page2.map((f) => f.name)).to.deep.equal(['a/sub/4', 'a/x/5', 'b/6']);
      const [page3, none] = await bucket.getFiles({ ...(last as object), autoPaginate: false });
      expect(page3.map((f) => f.name)).to.deep.equal(['top']);
      expect(none).to.equal(null);
    });

    it('deletes objects; the next read is a 404', async () => {
      const file = storage.bucket('b').file('gone.txt');
      await file.save('x', { resumable: false });
      await file.delete();
      expect((await file.exists())[0]).to.equal(false);
      expect((await rejection(file.getMetadata())).code).to.equal(404);
      expect((await rejection(file.delete())).code).to.equal(404);
    });
  });

  describe('fault injection', () => {
    beforeEach(() => fake.createBucket('b'));

    it('a 503 on the next request is retried by the client when a precondition is set', async () => {
      fake.faults.failNth(1, 503);
      await storage.bucket('b').file('p.txt').save('x', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
      expect(fake.requests.map((r) => [r.status, r.injected])).to.deep.equal([
        [503, true],
        [200, false],
      ]);
      expect(fake.object('b', 'p.txt')?.bytes.toString()).to.equal('x');
    });

    it('without a precondition the client does not retry an upload', async () => {
      fake.faults.failNth(1, 503);
      const err = await rejection(storage.bucket('b').file('np.txt').save('x', { resumable: false }));
      expect(err.code).to.equal(503);
      expect(fake.requests).to.have.length(1);
      expect(fake.object('b', 'np.txt')).to.equal(undefined);
    });

    it('a 429 on the second chunk of a resumable upload is retried and the upload completes', async () => {
      const bytes = randomBytes(MiB + 1000);
      // Requests: 1 opens the session, 2 is the first chunk, 3 the second.
      fake.faults.failNth(3, 429);
      await storage.bucket('b').file('c.bin').save(bytes, { resumable: true, chunkSize: MiB, preconditionOpts: { ifGenerationMatch: 0 } });
      expect(fake.object('b', 'c.bin')?.crc32c).to.equal(crc32c(bytes));
      expect(fake.requests.filter((r) => r.injected).map((r) => r.status)).to.deep.equal([429]);
    });

    it('failOn fails the n-th matching request with the status and lets the others through', async () => {
      fake.faults.failOn({ method: 'GET', object: 'dir/f.txt' }, 503, 2);
      const url = `${endpoint}/storage/v1/b/b/o/${encodeURIComponent('dir/f.txt')}`;
      fake.putObject('b', 'dir/f.txt', 'x');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fetch(url)).status);
      expect(statuses).to.deep.equal([200, 503, 200]);
      expect(fake.requests.map((r) => r.injected)).to.deep.equal([false, true, false]);
    });

    it('failEvery fails every n-th request until cleared', async () => {
      fake.faults.failEvery(2, 503);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await fetch(`${endpoint}/storage/v1/b/b`)).status);
      fake.faults.clear();
      statuses.push((await fetch(`${endpoint}/storage/v1/b/b`)).status);
      expect(statuses).to.deep.equal([200, 503, 200, 503, 200]);
    });

    it('loseAnswer carries out the n-th matching request and cuts its connection before the answer', async () => {
      const file = storage.bucket('b').file('dir/lost.txt');
      await file.save('x', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
      await storage.bucket('b').file('other.txt').save('y', { resumable: false });
      // The second DELETE of dir/lost.txt from now: the first is refused with 412 and answered.
      fake.faults.loseAnswer({ method: 'DELETE', object: 'dir/lost.txt' }, 2);
      await storage.bucket('b').file('other.txt').delete();
      expect(gcsCode(await rejection(file.delete({ ifGenerationMatch: '1' })))).to.equal(412);
      // The client retries the reset delete, which the server had carried out: the retry meets a 404.
      const err = await rejection(file.delete({ ifGenerationMatch: String(file.metadata.generation) }));
      expect(gcsCode(err)).to.equal(404);
      expect(fake.object('b', 'dir/lost.txt')).to.equal(undefined);
      const deletes = fake.requests.filter((r) => r.method === 'DELETE').map((r) => [r.path, r.status, r.injected]);
      expect(deletes).to.deep.equal([
        ['/storage/v1/b/b/o/other.txt', 204, false],
        ['/storage/v1/b/b/o/dir%2Flost.txt', 412, false],
        ['/storage/v1/b/b/o/dir%2Flost.txt', 0, true],
        ['/storage/v1/b/b/o/dir%2Flost.txt', 404, false],
      ]);
    });

    it('loseAnswer matches an upload by the object name in its query', async () => {
      fake.faults.loseAnswer({ path: /^\/upload\//, object: /\.json$/ });
      await storage.bucket('b').file('a.txt').save('a', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
      // No precondition, so the client does not retry and the reset reaches us.
      const err = await rejection(storage.bucket('b').file('m.json').save('{}', { resumable: false }));
      expect(gcsCode(err)).to.equal(undefined);
      // Written, though the client never heard so: a retry meets its own object.
      expect(fake.object('b', 'm.json')?.bytes.toString()).to.equal('{}');
      expect(fake.requests.map((r) => r.status)).to.deep.equal([200, 0]);
    });

    it('outageOn refuses connections for a while, then serves again on the same port', async () => {
      fake.faults.outageOn({ method: 'GET', path: /\/o\/down\.txt$/ }, 800);
      await storage.bucket('b').file('down.txt').save('d', { resumable: false });
      const cut = await rejection(fetch(`${endpoint}/storage/v1/b/b/o/down.txt`));
      expect(String((cut as { cause?: unknown }).cause)).to.match(/other side closed|ECONNRESET|socket/i);
      const refused = await rejection(fetch(`${endpoint}/storage/v1/b/b/o/down.txt`));
      expect((refused as { cause?: { code?: string } }).cause?.code).to.equal('ECONNREFUSED');
      // The client does not retry a refused connection itself (its default retryableErrorFn lacks
      // ECONNREFUSED); once the outage is over the same port serves again.
      const clientErr = await rejection(storage.bucket('b').file('down.txt').download());
      expect(`${String(clientErr.code)} ${clientErr.message}`).to.contain('ECONNREFUSED');
      let status: number | undefined;
      for (let i = 0; i < 50 && status === undefined; i++) {
        status = await fetch(`${endpoint}/storage/v1/b/b/o/down.txt?alt=media`).then((r) => r.status, () => undefined);
        if (status === undefined) await sleep(100);
      }
      expect(status).to.equal(200);
      const [bytes] = await storage.bucket('b').file('down.txt').download();
      expect(bytes.toString()).to.equal('d');
    });

    it('stopFor stops listening and starts again; close() during an outage does not restart it', async () => {
      await fake.stopFor(60_000);
      const refused = await rejection(fetch(`${endpoint}/storage/v1/b/b`));
      expect((refused as { cause?: { code?: string } }).cause?.code).to.equal('ECONNREFUSED');
      await fake.close();
      await fake.stopFor(10);
    });
  });
});

describe('fake GCS server serving only under /storage/v1 (like fsouza/fake-gcs-server)', () => {
  it('answers 404 on /b/... and serves the client given apiEndpoint', async () => {
    const fake = createFakeGcs({ servesRoot: false });
    try {
      const endpoint = await fake.listen(0);
      fake.createBucket('b');
      expect((await fetch(`${endpoint}/b/b`)).status).to.equal(404);
      const storage = new Storage({ apiEndpoint: endpoint, projectId: 'test', retryOptions: fastRetryOptions });
      await storage.bucket('b').file('k').save('v', { resumable: false });
      expect((await storage.bucket('b').file('k').download())[0].toString()).to.equal('v');
    } finally {
      await fake.close();
    }
  });
});

describe('fake GCS server with STORAGE_EMULATOR_HOST (the /b/... base path)', () => {
  let fake: FakeGcs;
  let saved: string | undefined;

  beforeEach(async () => {
    fake = createFakeGcs();
    saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = await fake.listen(0);
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
    else process.env.STORAGE_EMULATOR_HOST = saved;
    await fake.close();
  });

  it('serves JSON calls on /b/... and uploads on /upload/storage/v1/...', async () => {
    const storage = new Storage({ projectId: 'test', retryOptions: fastRetryOptions });
    await storage.createBucket('emu');
    const file = storage.bucket('emu').file('x/y.txt');
    await file.save('small', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    await storage.bucket('emu').file('big.bin').save(randomBytes(MiB), { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } });
    const [files] = await storage.bucket('emu').getFiles({ prefix: 'x/' });
    const [bytes] = await file.download();
    await file.delete();
    expect(files.map((f) => f.name)).to.deep.equal(['x/y.txt']);
    expect(bytes.toString()).to.equal('small');
    const paths = fake.requests.map((r) => `${r.method} ${r.path}`);
    expect(paths).to.deep.equal([
      'POST /b',
      'POST /upload/storage/v1/b/emu/o',
      'POST /upload/storage/v1/b/emu/o',
      'PUT /upload/storage/v1/b/emu/o',
      'GET /b/emu/o',
      'GET /b/emu/o/x%2Fy.txt',
      'DELETE /b/emu/o/x%2Fy.txt',
    ]);
  });
});

/** The status of an error from the resumable upload path, which carries it in several shapes. */
function gcsCode(err: Error & { code?: unknown; status?: unknown; response?: { status?: unknown } }): unknown {
  return typeof err.code === 'number' ? err.code : (err.status ?? err.response?.status);
}
