// HTTP plumbing for the fake GCS server: reading bodies (with an optional cut), GCS-shaped JSON
// replies and errors, and the multipart/related body the client sends for simple uploads.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ReadBody {
  body: Buffer;
  /** True when the connection was cut on purpose after `dropAfter` bytes. */
  dropped: boolean;
}

/** Reads the whole body; with `dropAfter`, keeps that many bytes and destroys the socket instead. */
export async function readBody(req: IncomingMessage, dropAfter?: number): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (dropAfter !== undefined && length + chunk.length > dropAfter) {
      chunks.push(chunk.subarray(0, dropAfter - length));
      req.socket.destroy();
      return { body: Buffer.concat(chunks), dropped: true };
    }
    chunks.push(chunk);
    length += chunk.length;
  }
  return { body: Buffer.concat(chunks), dropped: false };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** GCS's JSON error shape: `{error:{code,message,errors:[{message,domain,reason}]}}`. */
export function sendError(res: ServerResponse, status: number, reason: string, message: string): void {
  if (status === 304) {
    res.writeHead(304);
    res.end();
    return;
  }
  sendJson(res, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });
}

export interface MultipartUpload {
  metadata: Record<string, unknown>;
  media: Buffer;
  mediaType: string | undefined;
}

/** Parses `multipart/related`: a JSON metadata part, then the media part. */
export function parseMultipart(body: Buffer, contentType: string): MultipartUpload {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new Error(`multipart upload without a boundary: ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: string; content: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    // The part's content ends with the CRLF that precedes the next delimiter.
    const content = part.subarray(headerEnd + 4, part.length - 2);
    parts.push({ headers: part.subarray(0, headerEnd).toString('utf8'), content });
    at = next;
  }
  const [meta, media] = parts;
  if (!meta || !media) throw new Error(`multipart upload needs 2 parts, got ${parts.length}`);
  return {
    metadata: meta.content.length > 0 ? (JSON.parse(meta.content.toString('utf8')) as Record<string, unknown>) : {},
    media: media.content,
    mediaType: /content-type:\s*([^\r\n]+)/i.exec(media.headers)?.[1]?.trim(),
  };
}

/** Reads `crc32c=...,md5=...` from an `X-Goog-Hash` header. */
export function parseGoogHash(header: string | string[] | undefined): { crc32c?: string; md5Hash?: string } {
  const out: { crc32c?: string; md5Hash?: string } = {};
  for (const pair of [header ?? []].flat().join(',').split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pair.slice(0, eq).trim().toLowerCase();
    const value = pair.slice(eq + 1).trim();
    if (key === 'crc32c') out.crc32c = value;
    if (key === 'md5') out.md5Hash = value;
  }
  return out;
}
