// The local-folder destination. A file appears under its final name only when complete and on disk:
// it is copied to a temporary name in the target folder, flushed, then linked into place (link
// fails if the name exists, so nothing is ever overwritten silently, even by a concurrent writer),
// and the folder is flushed so the new name survives a power cut.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { crc32c, crc32cBase64 } from '../io/crc.ts';
import { checkWritableFolder, syncDir } from '../io/durable.ts';
import { ErrorCodes, EtlError, fromSystemError } from '../errors/index.ts';
import { damagedJson, type Destination, type StagedFile, type UploadResult } from './destination.ts';

export class LocalDestination implements Destination {
  readonly url: string;
  readonly #root: string;

  constructor(rootDir: string) {
    this.#root = resolve(rootDir);
    this.url = pathToFileURL(this.#root).href;
  }

  check(): Promise<void> {
    return checkWritableFolder(this.#root, 'destination', '--dest');
  }

  async upload(file: StagedFile, signal?: AbortSignal): Promise<UploadResult> {
    const target = this.#path(file.objectName);
    try {
      const existing = await crc32cOfFile(target);
      if (existing !== null) return sameOrConflict(target, existing, file);
      await mkdir(dirname(target), { recursive: true });
      const temp = tempNameFor(target);
      const out = createWriteStream(temp, { flush: true });
      try {
        const crc = { value: 0 };
        await pipeline(createReadStream(file.localPath), hashInto(crc), out, ...(signal ? [{ signal }] : []));
        const copied = crc32cBase64(crc.value);
        if (copied !== file.crc32c) {
          throw new EtlError(ErrorCodes.INTERNAL, `staged file ${file.localPath} changed after it was closed: crc32c ${copied}, recorded ${file.crc32c}`);
        }
        if (!(await placeWithoutOverwrite(temp, target))) {
          return sameOrConflict(target, (await crc32cOfFile(target)) ?? '', file);
        }
        await syncDir(dirname(target));
      } finally {
        // An aborted copy rejects as soon as its streams error, while the temporary file may still be
        // opening on another thread: removed before the open lands, it would be left behind, empty
        // (seen once in CI under load). So the stream is done with it first.
        if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
        await rm(temp, { force: true });
      }
    } catch (err) {
      if (signal?.aborted) throw new EtlError(ErrorCodes.INTERRUPTED, `copy to ${target} aborted; the next run copies it again`, { cause: err });
      throw fromSystemError(err, `writing ${target}`);
    }
    return { objectName: file.objectName, skipped: false };
  }

  async writeJson(objectName: string, value: unknown, options: { replace: boolean }): Promise<void> {
    const target = this.#path(objectName);
    const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    try {
      await mkdir(dirname(target), { recursive: true });
      const temp = tempNameFor(target);
      try {
        await writeFile(temp, body, { flush: true });
        if (options.replace) {
          await rename(temp, target);
        } else if (!(await placeWithoutOverwrite(temp, target))) {
          if (!(await readFile(target)).equals(body)) {
            throw new EtlError(ErrorCodes.DEST_CONFLICT, `${target} already exists with different content; it is never overwritten — remove it or write elsewhere`);
          }
          return;
        }
        await syncDir(dirname(target));
      } finally {
        await rm(temp, { force: true });
      }
    } catch (err) {
      throw fromSystemError(err, `writing ${target}`);
    }
  }

  async delete(objectName: string): Promise<void> {
    const target = this.#path(objectName);
    try {
      await rm(target, { force: true });
    } catch (err) {
      throw fromSystemError(err, `deleting ${target}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const folder = this.#path(prefix);
    try {
      const entries = await readdir(folder, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => relative(this.#root, join(e.parentPath, e.name)).split(sep).join('/')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw fromSystemError(err, `listing ${folder}`);
    }
  }

  async readJson(objectName: string): Promise<unknown | null> {
    const target = this.#path(objectName);
    let text: string;
    try {
      text = await readFile(target, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw fromSystemError(err, `reading ${target}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw damagedJson(target, err);
    }
  }

  #path(objectName: string): string {
    const target = resolve(this.#root, objectName);
    const rel = relative(this.#root, target);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) {
      throw new EtlError(ErrorCodes.INTERNAL, `object name ${JSON.stringify(objectName)} is outside the destination ${this.#root}`);
    }
    return target;
  }
}

function sameOrConflict(target: string, existing: string, file: StagedFile): UploadResult {
  if (existing === file.crc32c) return { objectName: file.objectName, skipped: true };
  throw new EtlError(
    ErrorCodes.DEST_CONFLICT,
    `${target} already exists with different content (crc32c ${existing}, ours ${file.crc32c}); files are never overwritten — remove it or write elsewhere`,
    { details: { path: target, theirs: existing, ours: file.crc32c } },
  );
}

/** A hidden name in the same folder, so the final link or rename never crosses file systems. */
function tempNameFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomUUID()}.tmp`);
}

/** Links `temp` to `target` unless `target` exists; false when it does. */
async function placeWithoutOverwrite(temp: string, target: string): Promise<boolean> {
  try {
    await link(temp, target);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Some file systems (FAT, some network mounts) have no hard links: check, then rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    if (await exists(target)) return false;
    await rename(temp, target);
    return true;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function crc32cOfFile(path: string): Promise<string | null> {
  try {
    let crc = 0;
    for await (const chunk of createReadStream(path)) crc = crc32c(chunk as Buffer, crc);
    return crc32cBase64(crc);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function hashInto(crc: { value: number }): (source: AsyncIterable<Buffer>) => AsyncGenerator<Buffer> {
  return async function* (source) {
    for await (const chunk of source) {
      crc.value = crc32c(chunk, crc.value);
      yield chunk;
    }
  };
}

