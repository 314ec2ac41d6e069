import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import type { ServerResponse } from 'node:http';
import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors/index.ts';
import { downloadResult } from '../../src/shopify/download.ts';
import type { DownloadOptions } from '../../src/shopify/download.ts';
import { failure, fakeClock, LOCALHOST_TLS, scripted, startServer, status } from './harness.ts';
import type { Handler, Recorded, TestServer } from './harness.ts';

// Big enough to arrive in several chunks; small enough to keep the suite fast.
const SOURCE = randomBytes(512 * 1024);
const PATH = '/bulk-operation-outputs/abc?GoogleAccessId=x&Expires=1785204471&Signature=sig';

async function collect(url: string, options: DownloadOptions = {}): Promise<Buffer> {
  const parts: Buffer[] = [];
  // A chunk is valid only until the next is pulled: its memory is read into again.
  for await (const chunk of downloadResult(url, options)) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

function rangeStart(req: Recorded): number | null {
  const match = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
  return match ? Number(match[1]) : null;
}

/** A file host that honours Range like GCS: 206 with Content-Range from the asked byte. */
function serveFile(req: Recorded, res: ServerResponse): void {
  const start = rangeStart(req);
  if (start === null) {
    res.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': String(SOURCE.length) });
    res.end(SOURCE);
    return;
  }
  res.writeHead(206, {
    'content-type': 'application/jsonl',
    'content-length': String(SOURCE.length - start),
    'content-range': `bytes ${start}-${SOURCE.length - 1}/${SOURCE.length}`,
  });
  res.end(SOURCE.subarray(start));
}

/** Sends the first `bytes` of the file (promising all of it), then cuts the connection. */
function cutAfter(bytes: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': String(SOURCE.length) });
    res.write(SOURCE.subarray(0, bytes), () => res.socket?.destroy());
  };
}

/** Sends the first `bytes` of the file (promising all of it), then says nothing more, the connection left open. */
function silentAfter(bytes: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/jsonl', 'content-length': String(SOURCE.length) });
    res.write(SOURCE.subarray(0, bytes));
  };
}

describe('downloadResult', () => {
  let server: TestServer;

  afterEach(async () => {
    await server?.close();
  });

  async function host(steps: Handler[]): Promise<string> {
    server = await startServer(scripted(steps));
    return `${server.url}${PATH}`;
  }

  it('streams the file as it is, without a Shopify token, counting bytes', async () => {
    const url = await host([serveFile]);
    let counted = 0;
    const body = await collect(url, { onBytes: (n) => (counted += n) });
    expect(body.equals(SOURCE)).to.equal(true);
    expect(counted).to.equal(SOURCE.length);
    const [req] = server.requests;
    expect(req?.url).to.equal(PATH);
    expect(req?.headers['x-shopify-access-token']).to.equal(undefined);
    expect(req?.headers['accept-encoding']).to.equal('identity');
    expect(req?.headers.range).to.equal(undefined);
  });

  it('cuts a host that goes silent mid-file after the idle timeout, and resumes from the first missing byte', async () => {
    const clock = fakeClock();
    const url = await host([silentAfter(100_000), serveFile]);
    const started = Date.now();
    const body = await collect(url, { idleTimeoutMs: 300, sleep: clock.sleep, now: clock.now });
    expect(body.equals(SOURCE)).to.equal(true);
    expect(Date.now() - started).to.be.greaterThanOrEqual(250);
    expect(rangeStart(server.requests[1] as Recorded)).to.equal(100_000);
  });

  it('does not count the time the consumer spends on a chunk as the host being silent', async () => {
    const url = await host([serveFile]);
    const parts: Buffer[] = [];
    // Each chunk takes the consumer longer than the idle timeout; the host itself is never silent.
    for await (const chunk of downloadResult(url, { idleTimeoutMs: 40 })) {
      parts.push(Buffer.from(chunk));
      if (parts.length <= 3) await new Promise((resolve) => setTimeout(resolve, 80));
    }
    expect(Buffer.concat(parts).equals(SOURCE)).to.equal(true);
    expect(server.requests).to.have.length(1);
  });

  it('resumes a cut connection with a Range request from the first missing byte', async () => {
    const clock = fakeClock();
    const url = await host([cutAfter(200_000), serveFile]);
    const body = await collect(url, { sleep: clock.sleep, now: clock.now });
    expect(body.equals(SOURCE)).to.equal(true);
    expect(server.requests).to.have.length(2);
    const resumedAt = rangeStart(server.requests[1] as Recorded);
    expect(resumedAt).to.be.greaterThan(0).and.at.most(200_000);
    expect(clock.sleeps).to.have.length(1);
  });

  it('resumes from the right byte again and again, a new budget after each bit of progress', async () => {
    const clock = fakeClock();
    // Four cuts, each after some progress, with a budget of one wait per stall.
    const cutFrom = (req: Recorded, res: ServerResponse): void => {
      const start = rangeStart(req) ?? 0;
      res.writeHead(206, { 'content-length': String(SOURCE.length - start), 'content-range': `bytes ${start}-${SOURCE.length - 1}/${SOURCE.length}` });
      res.write(SOURCE.subarray(start, start + 64 * 1024), () => res.socket?.destroy());
    };
    const url = await host([cutAfter(64 * 1024), cutFrom, cutFrom, cutFrom, serveFile]);
    const body = await collect(url, { sleep: clock.sleep, now: clock.now, retry: { baseDelayMs: 1_000, budgetMs: 1_000 } });
    expect(body.equals(SOURCE)).to.equal(true);
    expect(server.requests).to.have.length(5);
  });

  it('reads a chunked body (a host that transcodes a file sends no Content-Length), and resumes one cut mid-chunk', async () => {
    const clock = fakeClock();
    // Without Content-Length node's server frames the body in chunks, one per write.
    const chunkedFile = (cutAt: number | null): Handler => (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/jsonl' });
      for (let at = 0; at < SOURCE.length; at += 100_000) {
        if (cutAt !== null && at >= cutAt) {
          res.write(SOURCE.subarray(at, at + 50_000), () => res.socket?.destroy());
          return;
        }
        res.write(SOURCE.subarray(at, at + 100_000));
      }
      res.end();
    };
    const whole = await host([chunkedFile(null)]);
    expect((await collect(whole)).equals(SOURCE)).to.equal(true);
    expect(server.requests[0]?.headers['accept-encoding']).to.equal('identity');
    await server.close();
    const cut = await host([chunkedFile(200_000), serveFile]);
    expect((await collect(cut, { sleep: clock.sleep, now: clock.now })).equals(SOURCE)).to.equal(true);
    expect(rangeStart(server.requests[1] as Recorded)).to.equal(250_000);
  });

  it('reads a response that arrives in pieces as small as a byte: its blank line, a chunk\'s size line, the CRLF after a chunk split across them', async () => {
    const body = SOURCE.subarray(0, 1000);
    const hex = (n: number): string => n.toString(16);
    const cases: Array<Array<string | Buffer>> = [
      [`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n`, '\r', '\n', body.subarray(0, 10), body.subarray(10)],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', hex(10).slice(0, 1), `${hex(10).slice(1)}\r`, '\n', body.subarray(0, 10), '\r', `\n${hex(990)}\r\n`, body.subarray(10), '\r\n0\r', '\n', '\r\n'],
    ];
    for (const pieces of cases) {
      const raw = net.createServer((socket) => {
        socket.setNoDelay(true);
        socket.once('data', async () => {
          // Each piece on its own, so that each is a read of its own at the other end.
          for (const piece of pieces) {
            socket.write(piece);
            await new Promise((resolve) => setTimeout(resolve, 15));
          }
          socket.end();
        });
      });
      await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
      try {
        expect((await collect(`http://127.0.0.1:${(raw.address() as AddressInfo).port}${PATH}`)).equals(body)).to.equal(true);
      } finally {
        await new Promise((resolve) => raw.close(resolve));
      }
    }
  });

  it('follows a redirect to the file', async () => {
    const url = await host([(_req, res) => {
      res.writeHead(302, { location: '/elsewhere/file.jsonl', 'content-length': '5' });
      res.end('moved');
    }, serveFile]);
    expect((await collect(url)).equals(SOURCE)).to.equal(true);
    expect(server.requests.map((r) => r.url)).to.deep.equal([PATH, '/elsewhere/file.jsonl']);
  });

  it('reads from an https host, checking its certificate', async () => {
    server = await startServer(serveFile, { tls: LOCALHOST_TLS, host: 'localhost' });
    const url = `${server.url}${PATH}`;
    const trusted = tls.getCACertificates('default');
    tls.setDefaultCACertificates([...trusted, LOCALHOST_TLS.cert]);
    try {
      expect((await collect(url)).equals(SOURCE)).to.equal(true);
    } finally {
      tls.setDefaultCACertificates(trusted);
    }
  });

  it('fails at once, naming the host and what to do, when the certificate does not verify', async () => {
    server = await startServer(serveFile, { tls: LOCALHOST_TLS, host: 'localhost' });
    const clock = fakeClock();
    // A certificate nobody vouches for will not verify on the next attempt either: nothing is resent.
    const refused = await failure(collect(`${server.url}${PATH}`, { sleep: clock.sleep, now: clock.now }));
    expect(refused.code).to.equal(ErrorCodes.TLS_CERT_INVALID);
    expect(refused.action).to.equal('fail');
    expect(clock.sleeps).to.deep.equal([]);
    expect(refused.message).to.include(`localhost:${new URL(server.url).port}`);
    expect(refused.message).to.match(/self-signed/);
    expect(refused.message).to.include('NODE_EXTRA_CA_CERTS');
    expect(refused.details).to.include({ certificateError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('names the host redirected to when its certificate does not verify', async () => {
    const secure = await startServer(serveFile, { tls: LOCALHOST_TLS, host: 'localhost' });
    try {
      const url = await host([(_req, res) => {
        res.writeHead(302, { location: `${secure.url}/elsewhere/file.jsonl`, 'content-length': '0' });
        res.end();
      }]);
      const clock = fakeClock();
      const refused = await failure(collect(url, { sleep: clock.sleep, now: clock.now }));
      expect(refused.code).to.equal(ErrorCodes.TLS_CERT_INVALID);
      expect(clock.sleeps).to.deep.equal([]);
      expect(refused.message).to.include(`the TLS certificate of ${new URL(secure.url).host} is self-signed`);
      expect(refused.details).to.include({ host: new URL(secure.url).host });
    } finally {
      await secure.close();
    }
  });

  it('skips bytes already delivered when the server ignores Range and sends the whole file', async () => {
    const clock = fakeClock();
    const ignoreRange: Handler = (_req, res) => {
      res.writeHead(200, { 'content-length': String(SOURCE.length) });
      res.end(SOURCE);
    };
    const url = await host([cutAfter(150_000), ignoreRange]);
    const body = await collect(url, { sleep: clock.sleep, now: clock.now });
    expect(body.equals(SOURCE)).to.equal(true);
    expect(rangeStart(server.requests[1] as Recorded)).to.be.greaterThan(0);
  });

  it('starts at fromByte with a Range request', async () => {
    const url = await host([serveFile]);
    const body = await collect(url, { fromByte: 1000 });
    expect(body.equals(SOURCE.subarray(1000))).to.equal(true);
    expect(server.requests[0]?.headers.range).to.equal('bytes=1000-');
  });

  it('treats 416 at the very end as complete', async () => {
    const url = await host([status(416, 'text/plain', '', { 'content-range': `bytes */${SOURCE.length}` })]);
    const body = await collect(url, { fromByte: SOURCE.length });
    expect(body.length).to.equal(0);
  });

  it('an expired signed URL (403) is BULK_EXPIRED, not retried', async () => {
    const expired = status(403, 'application/xml', "<?xml version='1.0'?><Error><Code>ExpiredToken</Code><Message>Invalid argument.</Message></Error>");
    const url = await host([expired]);
    const err = await failure(collect(url));
    expect(err.code).to.equal(ErrorCodes.BULK_EXPIRED);
    expect(err.message).not.to.include('Signature');
    expect(server.requests).to.have.length(1);
  });

  it('a 400 from the file host is BULK_EXPIRED too', async () => {
    const url = await host([status(400, 'application/xml', '<Error><Code>ExpiredToken</Code></Error>')]);
    const err = await failure(collect(url));
    expect(err.code).to.equal(ErrorCodes.BULK_EXPIRED);
  });

  it('retries a 503 from the file host', async () => {
    const clock = fakeClock();
    const url = await host([status(503, 'text/html', '<html>unavailable</html>', { 'retry-after': '3' }), serveFile]);
    const body = await collect(url, { sleep: clock.sleep, now: clock.now });
    expect(body.equals(SOURCE)).to.equal(true);
    expect(clock.sleeps).to.deep.equal([3000]);
  });

  it('gives up once one stall has used its time budget', async () => {
    const clock = fakeClock();
    const url = await host(Array.from({ length: 50 }, () => status(500)));
    const err = await failure(collect(url, { sleep: clock.sleep, now: clock.now, retry: { budgetMs: 5_000 } }));
    expect(err.code).to.equal(ErrorCodes.HTTP_TRANSIENT);
    expect(err.details.attempts).to.equal(server.requests.length);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).to.equal(5_000);
  });

  it('a cut with no progress at all counts against the budget', async () => {
    const clock = fakeClock();
    const url = await host(Array.from({ length: 50 }, () => cutAfter(0)));
    const err = await failure(collect(url, { sleep: clock.sleep, now: clock.now, retry: { budgetMs: 3_000 } }));
    expect(err.code).to.equal(ErrorCodes.NETWORK);
    expect(err.action).to.equal('resend');
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).to.equal(3_000);
  });

  it('stops with INTERRUPTED when the signal aborts mid-file', async () => {
    const controller = new AbortController();
    const url = await host([serveFile]);
    const err = await failure(
      collect(url, {
        signal: controller.signal,
        onBytes: () => controller.abort(),
      }),
    );
    expect(err.code).to.equal(ErrorCodes.INTERRUPTED);
  });
});
