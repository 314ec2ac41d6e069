// One contract, two destinations: the same cases run against a local folder and against GCS (the
// real client talking to the fake server), so the loader can treat them alike.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import type { Destination } from '../../src/load/destination.ts';
import { GcsDestination } from '../../src/load/gcs.ts';
import { LocalDestination } from '../../src/load/local.ts';
import { createFakeGcs, fastRetryOptions } from '../support/fake-gcs.ts';
import { ndjsonGz, Staging } from '../support/staged-file.ts';
import { etlFailure } from '../support/failure.ts';

interface Opened {
  dest: Destination;
  /** The stored bytes of an object, read behind the destination's back. */
  stored(objectName: string): Promise<Buffer | undefined>;
  /** Every object name stored, relative to the destination root. */
  names(): Promise<string[]>;
  close(): Promise<void>;
}

const harnesses: Array<{ name: string; open(): Promise<Opened> }> = [
  {
    name: 'LocalDestination',
    async open() {
      const root = join(await mkdtemp(join(tmpdir(), 'etl-dest-')), 'out');
      return {
        dest: new LocalDestination(root),
        stored: (name) => readFile(join(root, name)).catch(() => undefined),
        async names() {
          const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
          return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
        },
        close: () => rm(join(root, '..'), { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'GcsDestination',
    async open() {
      const fake = createFakeGcs();
      const endpoint = await fake.listen(0);
      fake.createBucket('etl');
      const dest = new GcsDestination({
        bucket: 'etl',
        prefix: 'exports/acme',
        apiEndpoint: endpoint,
        retryOptions: fastRetryOptions,
        resumableThreshold: 512 * 1024,
        chunkSize: 256 * 1024,
      });
      const prefix = 'exports/acme/';
      return {
        dest,
        stored: async (name) => fake.object('etl', prefix + name)?.bytes,
        names: async () => fake.objects('etl').map((o) => o.name.slice(prefix.length)),
        close: () => fake.close(),
      };
    },
  },
];

const PART = 'orders/shop=acme.myshopify.com/dt=2026-11-21/run=r1/part-00000.ndjson.gz';
const MANIFEST = '_manifests/shop=acme.myshopify.com/run=r1.json';

for (const harness of harnesses) {
  describe(`Destination contract: ${harness.name}`, () => {
    let opened: Opened;
    const staging = new Staging();

    beforeEach(async () => {
      opened = await harness.open();
    });
    afterEach(async () => {
      await opened.close();
      await staging.cleanup();
    });

    it('check() passes and leaves nothing behind', async () => {
      await opened.dest.check();
      expect(await opened.names()).to.deep.equal([]);
    });

    it('uploads a file under its object name', async () => {
      const bytes = ndjsonGz(100);
      const result = await opened.dest.upload(await staging.stage(PART, bytes, 100));
      expect(result.objectName).to.equal(PART);
      expect(result.skipped).to.equal(false);
      expect((await opened.stored(PART))?.equals(bytes)).to.equal(true);
      expect(await opened.names()).to.deep.equal([PART]);
    });

    it('uploads a large file (GCS: chunked resumable)', async () => {
      const bytes = ndjsonGz(10, 'big', 1536 * 1024);
      const result = await opened.dest.upload(await staging.stage(PART, bytes));
      expect(result.skipped).to.equal(false);
      expect((await opened.stored(PART))?.equals(bytes)).to.equal(true);
    });

    it('skips a re-upload of identical bytes (a rerun after a crash)', async () => {
      const bytes = ndjsonGz(5);
      await opened.dest.upload(await staging.stage(PART, bytes));
      const again = await opened.dest.upload(await staging.stage(PART, bytes));
      expect(again.skipped).to.equal(true);
      expect((await opened.stored(PART))?.equals(bytes)).to.equal(true);
    });

    it('refuses different bytes under an existing name with DEST_CONFLICT and keeps the original', async () => {
      const first = ndjsonGz(5, 'first');
      await opened.dest.upload(await staging.stage(PART, first));
      const err = await etlFailure(opened.dest.upload(await staging.stage(PART, ndjsonGz(5, 'second'))));
      expect(err.code).to.equal('DEST_CONFLICT');
      expect(err.message).to.contain(PART);
      expect((await opened.stored(PART))?.equals(first)).to.equal(true);
    });

    it('rejects a staged file whose bytes no longer match its recorded CRC32C, storing nothing', async () => {
      const file = await staging.stage(PART, ndjsonGz(5));
      await writeFile(file.localPath, ndjsonGz(5, 'tampered'));
      const err = await etlFailure(opened.dest.upload(file));
      expect(err.code).to.not.equal('DEST_CONFLICT');
      expect(await opened.names()).to.deep.equal([]);
    });

    it('writes JSON once, accepts the same JSON again, and refuses other JSON without replace', async () => {
      await opened.dest.writeJson(MANIFEST, { files: 1 }, { replace: false });
      await opened.dest.writeJson(MANIFEST, { files: 1 }, { replace: false });
      const err = await etlFailure(opened.dest.writeJson(MANIFEST, { files: 2 }, { replace: false }));
      expect(err.code).to.equal('DEST_CONFLICT');
      expect(await opened.dest.readJson(MANIFEST)).to.deep.equal({ files: 1 });
    });

    it('replaces JSON when asked', async () => {
      await opened.dest.writeJson('_schemas/orders.json', { v: 1 }, { replace: true });
      await opened.dest.writeJson('_schemas/orders.json', { v: 2 }, { replace: true });
      expect(await opened.dest.readJson('_schemas/orders.json')).to.deep.equal({ v: 2 });
      expect(await opened.names()).to.deep.equal(['_schemas/orders.json']);
    });

    it('lists what is stored under a prefix, relative to the root, and nothing outside it', async () => {
      const other = PART.replace('run=r1', 'run=r2');
      const second = PART.replace('part-00000', 'part-00001');
      for (const name of [second, PART, other]) await opened.dest.upload(await staging.stage(name, ndjsonGz(2, name)));
      await opened.dest.writeJson(MANIFEST, { files: 2 }, { replace: false });
      const folder = PART.slice(0, PART.lastIndexOf('/') + 1);
      expect(await opened.dest.list(folder)).to.deep.equal([PART, second]);
      expect(await opened.dest.list('orders/shop=acme.myshopify.com/dt=2026-11-21/')).to.deep.equal([PART, second, other]);
      expect(await opened.dest.list('orders/shop=other.myshopify.com/')).to.deep.equal([]);
      await opened.dest.delete(PART);
      expect(await opened.dest.list(folder)).to.deep.equal([second]);
    });

    it('reads a missing JSON document as null', async () => {
      expect(await opened.dest.readJson('_manifests/none.json')).to.equal(null);
    });
  });
}
