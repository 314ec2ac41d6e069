// LocalDestination beyond the shared contract: folder creation, unusable roots, no temp files left
// behind, names that would escape the root, and how openDestination picks it.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { openDestination } from '../../src/load/index.ts';
import { LocalDestination } from '../../src/load/local.ts';
import { ndjsonGz, Staging } from '../support/staged-file.ts';
import { etlFailure } from '../support/failure.ts';

describe('LocalDestination', () => {
  let dir: string;
  const staging = new Staging();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'etl-local-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
    await staging.cleanup();
  });

  it('check() creates a missing root, nested', async () => {
    const root = join(dir, 'a', 'b', 'out');
    await new LocalDestination(root).check();
    expect(await readdir(root)).to.deep.equal([]);
  });

  it('check() stops with DEST_UNWRITABLE when the root is under a file', async () => {
    await writeFile(join(dir, 'plain-file'), 'x');
    const err = await etlFailure(new LocalDestination(join(dir, 'plain-file', 'out')).check());
    expect(err.code).to.equal('DEST_UNWRITABLE');
    expect(err.message).to.contain(join(dir, 'plain-file', 'out'));
  });

  it('leaves no temporary files beside the uploaded part or JSON', async () => {
    const dest = new LocalDestination(dir);
    await dest.upload(await staging.stage('t/shop=a/part-00000.ndjson.gz', ndjsonGz(3)));
    await dest.writeJson('t/shop=a/m.json', { a: 1 }, { replace: false });
    await dest.writeJson('t/shop=a/m.json', { a: 2 }, { replace: true });
    expect((await readdir(join(dir, 't', 'shop=a'))).sort()).to.deep.equal(['m.json', 'part-00000.ndjson.gz']);
  });

  it('refuses object names that would leave the root', async () => {
    const err = await etlFailure(new LocalDestination(join(dir, 'out')).writeJson('../escape.json', {}, { replace: true }));
    expect(err.code).to.equal('INTERNAL');
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('stops an aborted copy with INTERRUPTED and leaves nothing behind', async () => {
    const dest = new LocalDestination(dir);
    const file = await staging.stage('t/part.ndjson.gz', ndjsonGz(10, 'abort', 256 * 1024));
    // Many times over: the copy is stopped at once, while its temporary file may still be opening.
    for (let i = 0; i < 50; i++) {
      const controller = new AbortController();
      controller.abort();
      const err = await etlFailure(dest.upload(file, controller.signal));
      expect(err.code).to.equal('INTERRUPTED');
      expect(await readdir(join(dir, 't')), `attempt ${i + 1}`).to.deep.equal([]);
    }
  });

  it('is what openDestination builds for a path or a file:// URL', async () => {
    expect((await openDestination(join(dir, 'x'))).url).to.equal(pathToFileURL(join(dir, 'x')).href);
    expect(await openDestination(pathToFileURL(join(dir, 'y')).href)).to.be.instanceOf(LocalDestination);
    expect((await etlFailure(openDestination('s3://bucket/prefix'))).message).to.match(/unsupported destination/);
  });
});
