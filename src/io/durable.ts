// Durability for files the commit protocol counts on: after a file is fsynced and renamed or linked
// into place, its directory entry must be fsynced too, or a crash could lose the name. And the check
// that a local folder can take files at all, made before any work so none is lost to it.
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, EtlError, fromSystemError } from '../errors/index.ts';

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates `dir` if needed and writes and removes a file in it; `what` and `flag` name it in errors. */
export async function checkWritableFolder(dir: string, what: string, flag: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.probe-${randomUUID()}.tmp`);
    await writeFile(probe, 'ok\n', { flush: true });
    await rm(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      throw new EtlError(ErrorCodes.DEST_UNWRITABLE, `${what} ${dir} is not a folder (it or a parent is a file); choose another ${flag}`, { cause: err });
    }
    throw fromSystemError(err, `checking ${what} ${dir}`);
  }
}
