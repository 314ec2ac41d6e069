// Durability for files the commit protocol counts on: after a file is fsynced and renamed or linked
// into place, its directory entry must be fsynced too, or a crash could lose the name.
import { open } from 'node:fs/promises';

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
