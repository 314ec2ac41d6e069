// `npm start` builds dist/ in the checkout first (its prestart), and tsc rewrites each file in place: a
// process that loads dist/ while another test's build is writing it may read a truncated file. Under
// mocha --parallel the tests that run `npm start` (test/cli/readme.test.ts, test/deploy/node-flags.test.ts)
// take turns through this lock: a file created exclusively, holding its owner's pid, taken over once that
// process is gone (a worker killed while holding it).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LOCK = resolve(import.meta.dirname, '../../node_modules/.cache/dist.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` (which builds or loads the checkout's dist/) while no other test process does. */
export async function withDist<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let text: string;
    try {
      text = readFileSync(LOCK, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    // Empty while its owner is between creating and writing it: wait, as for a live owner.
    const owner = Number(text.trim() || 0);
    if (owner > 0 && !alive(owner)) rmSync(LOCK, { force: true });
    else await sleep(50);
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { force: true });
  }
}
