// Writes bytes to a temp file and describes it as the table writer would: a StagedFile ready to upload.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CRC32C } from '@google-cloud/storage';
import type { StagedFile } from '../../src/load/destination.ts';

export function crc32cOf(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

/** A gzipped NDJSON part of `rows` rows, padded with `padBytes` of incompressible data when asked. */
export function ndjsonGz(rows: number, seed = 'x', padBytes = 0): Buffer {
  const lines = Array.from({ length: rows }, (_, i) => JSON.stringify({ id: i, seed }));
  const gz = gzipSync(`${lines.join('\n')}\n`);
  if (padBytes === 0) return gz;
  // A second gzip member of random bytes keeps the file a valid .gz while making it large.
  const random = Buffer.alloc(padBytes);
  for (let i = 0; i < padBytes; i++) random[i] = (i * 2654435761 + seed.charCodeAt(0)) >>> 24;
  return Buffer.concat([gz, gzipSync(random, { level: 0 })]);
}

export class Staging {
  readonly #dirs: string[] = [];

  async stage(objectName: string, bytes: Buffer, rows = 1): Promise<StagedFile> {
    const dir = await mkdtemp(join(tmpdir(), 'etl-staged-'));
    this.#dirs.push(dir);
    const localPath = join(dir, 'part.ndjson.gz');
    await writeFile(localPath, bytes);
    return { localPath, objectName, crc32c: crc32cOf(bytes), bytes: bytes.length, rows, contentType: 'application/gzip' };
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
