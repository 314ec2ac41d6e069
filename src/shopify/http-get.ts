// One HTTP/1.1 GET over a socket of its own (TLS for https), for the bulk result download
// (download.ts). The body is read with the socket's `onread`: every read lands in one reused 1 MiB
// buffer and is handed to the consumer as it is, with no buffer allocated per read and no stream in
// between. node:http reads 64 KiB at a time into fresh memory and passes each piece through its parser
// and a Readable stream; for the ETL's thread that feeds the workers that was most of its CPU while a
// file streamed (loopback, 302 MB: ~350 ms against ~60 ms reading into one buffer). Only what a file
// host's answer to a GET needs is understood: a status line, headers, and a body framed by
// Content-Length, chunked, or the end of the connection (which the request asks for).
import net from 'node:net';
import tls from 'node:tls';

/** The most one socket read delivers. */
const READ_BYTES = 1024 * 1024;
/** A status line and headers longer than this are refused. */
const MAX_HEAD_BYTES = 64 * 1024;
const CRLF_CRLF = Buffer.from('\r\n\r\n');
const LF = 0x0a;

export interface GetResponse {
  status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  headers: Readonly<Record<string, string>>;
  /**
   * The next bytes of the body, or null at its end. The bytes stay valid only until the next call:
   * their memory is read into again. Rejects if the connection fails or closes before the body's end.
   */
  read(): Promise<Buffer | null>;
  /** Closes the connection; a read waiting, or the next one, rejects with `err` if given. */
  destroy(err?: Error): void;
}

/** A connection cut before the body's end, named as the socket's own resets are. */
function cut(message: string): Error {
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}

function protocolError(message: string): Error {
  return Object.assign(new Error(`bad HTTP response: ${message}`), { code: 'EPROTO' });
}

/** Sends GET `target` with `headers` (plus Host and Connection: close); resolves once the response's headers are in. */
export function httpGet(target: URL, headers: Readonly<Record<string, string>>, options: { signal?: AbortSignal; timeoutMs: number }): Promise<GetResponse> {
  return new Promise((resolve, reject) => {
    const connection = new Connection(target, headers, options.timeoutMs, resolve, reject);
    const signal = options.signal;
    if (!signal) return;
    const abort = (): void => connection.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    connection.socket.once('close', () => signal.removeEventListener('abort', abort));
  });
}

type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; state: 'size' | 'data' | 'data-end' | 'trailer'; left: number; line: string } | { kind: 'close' };

class Connection implements GetResponse {
  readonly socket: net.Socket;
  status = 0;
  headers: Record<string, string> = {};
  readonly #memory = Buffer.allocUnsafeSlow(READ_BYTES);
  /** The response's head so far, until its blank line. */
  #head = Buffer.alloc(0);
  #framing: Framing | null = null;
  /** Body bytes of the last read not yet handed out (views of #memory). */
  #ready: Buffer[] = [];
  #done = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;
  #onHead: ((r: GetResponse) => void) | null;
  #onHeadError: ((err: Error) => void) | null;

  constructor(target: URL, headers: Readonly<Record<string, string>>, timeoutMs: number, onHead: (r: GetResponse) => void, onHeadError: (err: Error) => void) {
    this.#onHead = onHead;
    this.#onHeadError = onHeadError;
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    const onread = { buffer: this.#memory, callback: (n: number) => this.#received(this.#memory.subarray(0, n)) };
    this.socket = target.protocol === 'https:'
      // tls.connect takes onread as net.connect does (Node's documentation); its types leave it out.
      ? tls.connect({ host, port: Number(target.port || 443), ...(net.isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'], onread } as tls.ConnectionOptions)
      : net.connect({ host, port: Number(target.port || 80), onread });
    // Until the headers are in; from then on the caller watches for silence (it must not count the time
    // its consumer spends on the bytes, while the socket is paused on purpose).
    this.socket.setTimeout(timeoutMs, () => this.destroy(Object.assign(new Error('socket idle timeout'), { code: 'ETIMEDOUT' })));
    this.socket.on('error', (err) => this.#fail(err));
    this.socket.on('end', () => this.#ended());
    this.socket.on('close', () => this.#ended());
    const lines = [`GET ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    this.socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  }

  read(): Promise<Buffer | null> {
    const next = this.#ready.shift();
    if (next) return Promise.resolve(next);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#done) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.#wake = () => {
        this.#wake = null;
        const chunk = this.#ready.shift();
        if (chunk) resolve(chunk);
        else if (this.#error) reject(this.#error);
        else resolve(null);
      };
      // Every byte handed out so far is spent: the memory may be read into again.
      this.socket.resume();
    });
  }

  destroy(err?: Error): void {
    if (err) this.#fail(err);
    this.socket.destroy();
  }

  /** A socket read of `bytes` (a view of #memory); false pauses the socket until the consumer has them all. */
  #received(bytes: Buffer): boolean {
    let body = bytes;
    if (this.#framing === null) {
      const rest = this.#takeHead(bytes);
      if (rest === null) return true;
      body = rest;
    }
    if (!this.#done) this.#frame(body);
    if (this.#done) this.socket.destroy();
    if (this.#ready.length === 0 && !this.#done) return true;
    this.#wake?.();
    return false;
  }

  /** Adds `bytes` to the head; once it is whole, parses it and returns the body bytes after it, else null. */
  #takeHead(bytes: Buffer): Buffer | null {
    // Copied: the memory the bytes arrived in is read into again. Searched from the 3 bytes before
    // them, so a blank line split across reads (of any size, down to a byte) is found.
    const before = this.#head.length;
    this.#head = Buffer.concat([this.#head, bytes]);
    const at = this.#head.indexOf(CRLF_CRLF, Math.max(0, before - 3));
    if (at === -1) {
      if (this.#head.length > MAX_HEAD_BYTES) this.destroy(protocolError(`headers over ${MAX_HEAD_BYTES} bytes`));
      return null;
    }
    const end = at + 4 - before;
    const text = this.#head.toString('latin1', 0, at + 4);
    this.#head = Buffer.alloc(0);
    const [statusLine = '', ...fields] = text.slice(0, -4).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!status) {
      this.destroy(protocolError(`status line ${JSON.stringify(statusLine.slice(0, 100))}`));
      return null;
    }
    const code = Number(status[1]);
    // An interim answer (100 Continue): the real one follows.
    if (code >= 100 && code < 200) return this.#takeHead(bytes.subarray(end));
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(':');
      if (colon <= 0) continue;
      const name = field.slice(0, colon).trim().toLowerCase();
      const value = field.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.status = code;
    this.headers = headers;
    const length = headers['content-length'];
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) this.#framing = { kind: 'chunked', state: 'size', left: 0, line: '' };
    else if (code === 204 || code === 304) this.#framing = { kind: 'length', left: 0 };
    else if (length !== undefined) {
      if (!/^\d+$/.test(length)) {
        this.destroy(protocolError(`Content-Length ${JSON.stringify(length)}`));
        return null;
      }
      this.#framing = { kind: 'length', left: Number(length) };
    } else this.#framing = { kind: 'close' };
    if (this.#framing.kind === 'length' && this.#framing.left === 0) this.#done = true;
    this.socket.setTimeout(0);
    const onHead = this.#onHead;
    this.#onHead = null;
    this.#onHeadError = null;
    onHead?.(this);
    return bytes.subarray(end);
  }

  /** Splits body bytes as the framing says, onto #ready; sets #done at the body's end. */
  #frame(bytes: Buffer): void {
    const framing = this.#framing!;
    if (framing.kind === 'close') {
      if (bytes.length > 0) this.#ready.push(bytes);
      return;
    }
    if (framing.kind === 'length') {
      const take = Math.min(framing.left, bytes.length);
      if (take > 0) this.#ready.push(bytes.subarray(0, take));
      framing.left -= take;
      if (framing.left === 0) this.#done = true;
      return;
    }
    for (let at = 0; at < bytes.length && !this.#done; ) {
      if (framing.state === 'data') {
        const take = Math.min(framing.left, bytes.length - at);
        this.#ready.push(bytes.subarray(at, at + take));
        at += take;
        framing.left -= take;
        if (framing.left === 0) framing.state = 'data-end';
        continue;
      }
      // The other states read a line: a chunk's size, the CRLF after its data, or a trailer.
      const nl = bytes.indexOf(LF, at);
      framing.line += bytes.toString('latin1', at, nl === -1 ? bytes.length : nl);
      if (framing.line.length > 1024) return this.destroy(protocolError('a chunk line over 1024 bytes'));
      if (nl === -1) return;
      at = nl + 1;
      const line = framing.line.replace(/\r$/, '');
      framing.line = '';
      if (framing.state === 'size') {
        const size = /^[0-9a-fA-F]+/.exec(line)?.[0];
        if (size === undefined) return this.destroy(protocolError(`chunk size ${JSON.stringify(line.slice(0, 40))}`));
        framing.left = parseInt(size, 16);
        framing.state = framing.left === 0 ? 'trailer' : 'data';
      } else if (framing.state === 'data-end') framing.state = 'size';
      else if (line === '') this.#done = true;
    }
  }

  /** The connection ended: the body is complete if its framing says so, else the connection was cut. */
  #ended(): void {
    if (this.#done || this.#error) return;
    if (this.#framing?.kind === 'close') this.#done = true;
    else this.#fail(cut(this.#framing === null ? 'the connection closed before the response headers' : 'the connection closed before the end of the body'));
    this.#wake?.();
  }

  #fail(err: Error): void {
    if (this.#error || this.#done) return;
    this.#error = err;
    const onHeadError = this.#onHeadError;
    this.#onHead = null;
    this.#onHeadError = null;
    onHeadError?.(err);
    this.#wake?.();
  }
}
