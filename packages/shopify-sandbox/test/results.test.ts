// Signed result URLs: no token needed, HTTP Range, signature checks and expiry, answered like GCS.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSandbox, type RequestLogEntry, type Sandbox } from '../src/index.ts';
import { gql, pollToEnd, readOperation, runQuery, type Op } from './support/client.ts';

describe('sandbox result URLs', () => {
  let sandbox: Sandbox;
  let offsetMs = 0;
  let done: Op;
  let file: string;

  before(async () => {
    sandbox = await startSandbox({ seed: 21, size: { orders: 5, products: 6, customers: 3, locations: 1, collections: 1 }, operationDelayMs: 20, now: () => new Date(Date.now() + offsetMs) });
    const { op } = await runQuery(sandbox, '2026-10', '{ products { edges { node { id title variants { edges { node { id sku } } } } } } }');
    done = (await pollToEnd(sandbox, '2026-10', op?.id ?? '')).op;
    file = await (await fetch(done.url ?? '')).text();
  });
  after(async () => { await sandbox.close(); });

  it('serves the whole file with no token, as application/jsonl with a download file name', async () => {
    const res = await fetch(done.url ?? '');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-length')).to.equal(done.fileSize);
    expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="bulk-\d+\.jsonl"/);
    expect(await res.text()).to.equal(file);
    expect(file.trimEnd().split('\n')).to.have.length(Number(done.objectCount));
    const head = await fetch(done.url ?? '', { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-length')).to.equal(done.fileSize);
  });

  it('answers byte ranges with 206 and Content-Range, including open and suffix ranges', async () => {
    const size = Buffer.byteLength(file);
    const part = await fetch(done.url ?? '', { headers: { Range: 'bytes=10-19' } });
    expect(part.status).to.equal(206);
    expect(part.headers.get('content-range')).to.equal(`bytes 10-19/${size}`);
    expect(await part.text()).to.equal(Buffer.from(file).subarray(10, 20).toString());
    const rest = await fetch(done.url ?? '', { headers: { Range: 'bytes=100-' } });
    expect(rest.headers.get('content-range')).to.equal(`bytes 100-${size - 1}/${size}`);
    expect(await rest.text()).to.equal(Buffer.from(file).subarray(100).toString());
    const tail = await fetch(done.url ?? '', { headers: { Range: 'bytes=-5' } });
    expect(await tail.text()).to.equal(Buffer.from(file).subarray(size - 5).toString());
  });

  it('answers 416 with bytes */size for a range past the end', async () => {
    const size = Buffer.byteLength(file);
    const res = await fetch(done.url ?? '', { headers: { Range: `bytes=${size}-` } });
    expect(res.status).to.equal(416);
    expect(res.headers.get('content-range')).to.equal(`bytes */${size}`);
    expect(await res.text()).to.contain('<Code>InvalidRange</Code>');
  });

  it('refuses a tampered signature or Expires with 403 SignatureDoesNotMatch', async () => {
    const tampered = new URL(done.url ?? '');
    tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 60));
    const res = await fetch(tampered);
    expect(res.status).to.equal(403);
    expect(res.headers.get('content-type')).to.match(/^application\/xml/);
    expect(await res.text()).to.contain('<Code>SignatureDoesNotMatch</Code>');
    const unsigned = new URL(done.url ?? '');
    unsigned.searchParams.delete('Signature');
    expect((await fetch(unsigned)).status).to.equal(403);
  });

  it('after 7 days answers 400 ExpiredToken and the operation reports EXPIRED', async () => {
    offsetMs = 7 * 24 * 3600 * 1000 + 5000;
    const res = await fetch(done.url ?? '');
    expect(res.status).to.equal(400);
    expect(await res.text()).to.match(/<Code>ExpiredToken<\/Code><Message>The provided token has expired\.<\/Message>/);
    expect((await readOperation(sandbox, '2026-10', done.id))?.status).to.equal('EXPIRED');
    const listed = await gql(sandbox, '2026-10', { query: '{ bulkOperations(first: 1, query: "status:expired") { nodes { id } } }' });
    expect(listed.body.data?.bulkOperations).to.deep.equal({ nodes: [{ id: done.id }] });
  });
});

// Files are sent through two reused 1 MiB buffers (results.ts, sendBytes): a file of several buffers
// checks that no buffer is read into again before its bytes have left, and that a client going away
// mid-file ends the serving.
describe('sandbox result URLs, a file of several MiB', () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let done: Op;
  let onDisk: Buffer;

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sandbox-results-'));
    sandbox = await startSandbox({ seed: 22, size: { orders: 12000, products: 20, customers: 50, locations: 1, collections: 1 }, operationDelayMs: 20, dataDir });
    const { op } = await runQuery(sandbox, '2026-10', '{ orders { edges { node { id name email note createdAt tags billingAddress { name address1 city country zip } shippingAddress { name address1 city country zip } lineItems { edges { node { id title sku vendor quantity } } } } } } }');
    done = (await pollToEnd(sandbox, '2026-10', op?.id ?? '')).op;
    const [name] = (await readdir(dataDir)).filter((f) => f.endsWith('.jsonl'));
    onDisk = await readFile(join(dataDir, name ?? ''));
  });
  after(async () => {
    await sandbox.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sends every byte of the file, whole and from a range starting inside a buffer', async () => {
    expect(onDisk.length).to.be.above(3 * 1024 * 1024);
    expect(Buffer.from(await (await fetch(done.url ?? '')).arrayBuffer()).equals(onDisk)).to.equal(true);
    const from = 1024 * 1024 - 7;
    const rest = await fetch(done.url ?? '', { headers: { Range: `bytes=${from}-` } });
    expect(rest.status).to.equal(206);
    expect(Buffer.from(await rest.arrayBuffer()).equals(onDisk.subarray(from))).to.equal(true);
  });

  it('stops serving when the client goes away mid-file, and serves the next request', async () => {
    const aborter = new AbortController();
    const res = await fetch(done.url ?? '', { signal: aborter.signal });
    const reader = res.body!.getReader();
    await reader.read();
    aborter.abort();
    const served = (): RequestLogEntry | undefined => sandbox.requests().findLast((r) => r.path.startsWith('/bulk-results/'));
    for (let i = 0; i < 200 && served()?.status === 0; i++) await new Promise((r) => setTimeout(r, 10));
    // The response was cut before its end: the serving failed, and it did end.
    expect(served()?.status).to.equal(500);
    expect(Buffer.from(await (await fetch(done.url ?? '')).arrayBuffer()).equals(onDisk)).to.equal(true);
  });
});
