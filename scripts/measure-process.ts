// Runs a command and measures it from outside, so the command runs exactly as a user would start it
// (no hook, no extra node flag): /usr/bin/time gives the exact wall, CPU and peak RSS (its rusage
// covers the command and every descendant it waited for; worker threads are part of their process),
// and polling /proc every 50 ms gives each process's own peak (VmHWM; a sample, so growth in the
// last 50 ms of a process could be missed) and the peak of the whole tree's RSS at one time: what a
// container's memory limit sees when a launcher (npm, npx) stays resident beside the program.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const TIME = '/usr/bin/time';

export interface ProcessPeak {
  /** Its command line, as last seen (after an exec it is the new program's). */
  command: string;
  /** Its own peak resident memory (VmHWM), KiB; the largest sample. */
  hwmKb: number;
}

export interface Measured {
  exitCode: number | null;
  wallMs: number;
  /** User + system CPU of the command and its descendants (every thread), ms. */
  cpuMs: number;
  /** The largest peak RSS among the command and its descendants, KiB (getrusage's maxrss). */
  maxRssKb: number;
  /** Every process of the tree seen while polling. */
  processes: ProcessPeak[];
  /** The largest sum of the tree's current RSS in one sample, KiB. */
  treePeakKb: number;
}

function status(pid: number): { hwm: number; rss: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
    return { hwm: field('VmHWM'), rss: field('VmRSS') };
  } catch {
    return null; // gone between listing and reading
  }
}

/**
 * CPU (user + system, ms) of every thread of the process tree now, summed by thread name: Node names
 * its own (MainThread, WorkerThread for a worker, V8Worker for V8's background threads: optimising
 * compiles, concurrent GC; libuv-worker for file system calls). A thread that has ended is not counted.
 */
function threadCpu(root: number): Record<string, number> {
  const tick = 1000 / 100; // USER_HZ, 100 on Linux
  const byName: Record<string, number> = {};
  const queue = children(root);
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        byName[name] = (byName[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) * tick;
      }
    } catch {
      // gone between listing and reading
    }
    queue.push(...children(pid));
  }
  return byName;
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/**
 * Runs `command args` under /usr/bin/time; the callbacks see its output line by line, and may call
 * `threads()` for the CPU each kind of thread of the tree has spent so far (threadCpu).
 */
export function measure(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; onStdoutLine?: (line: string) => void; onStderrLine: (line: string, threads: () => Record<string, number>) => void }): Promise<Measured> {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed to measure the runs (apt-get install time)`);
  const dir = mkdtempSync(join(tmpdir(), 'measure-'));
  const out = join(dir, 'time');
  const child = spawn(TIME, ['-f', '%e %U %S %M', '-o', out, command, ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: child.stdout! }).on('line', options.onStdoutLine ?? (() => undefined));
  createInterface({ input: child.stderr! }).on('line', (line) => options.onStderrLine(line, () => threadCpu(child.pid!)));
  const peaks = new Map<number, ProcessPeak>();
  let treePeakKb = 0;
  const poll = setInterval(() => {
    let sum = 0;
    const queue = children(child.pid!);
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      const s = status(pid);
      if (!s) continue;
      sum += s.rss;
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        // gone
      }
      const seen = peaks.get(pid);
      peaks.set(pid, { command: command || seen?.command || '?', hwmKb: Math.max(seen?.hwmKb ?? 0, s.hwm) });
      queue.push(...children(pid));
    }
    treePeakKb = Math.max(treePeakKb, sum);
  }, 50);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      try {
        // time writes "Command exited with non-zero status N" first when the command fails.
        const [wall, user, sys, maxRss] = readFileSync(out, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
        resolve({ exitCode: code, wallMs: wall! * 1000, cpuMs: (user! + sys!) * 1000, maxRssKb: maxRss!, processes: [...peaks.values()], treePeakKb });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
