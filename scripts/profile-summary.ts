// Where the ETL's worker threads spend their time, from the .cpuprofile files `node --cpu-prof` writes
// (one per thread; the bench's --profile run). A worker lives through the whole run, most of it waiting
// for Shopify, so each is read only over its busy window: from its first to its last sample in
// processBatch or anything it calls. Self time is summed over the workers and grouped by what the
// code does, the way issue 21 reported it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

/** What a function's self time counts as; the first pattern that matches its name or file wins. */
const GROUPS: Array<[string, RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['deflate + CRC', /processChunkSync|^crc32c?$|zlib|crcCombine|io\/crc/],
  ['byte scan (tape)', /^rows\/tape\.[jt]s$/],
  ['row building (columns, values, routing)', /^(rows|entities)\//],
  ['lines, output buffers, messages', /postMessage|^pipeline\/|buffer|Buffer|_copy|Slice$/],
];

const groupOf = (name: string, url: string): string => GROUPS.find(([, re]) => re.test(name) || re.test(url))?.[0] ?? 'other';

/** A thread's self time per function over its busy window, µs; null for a thread that never processed a batch. */
function busyWindow(profile: Profile): Map<string, number> | null {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inBatch = new Map<number, boolean>();
  const underBatch = (id: number): boolean => {
    let known = inBatch.get(id);
    if (known === undefined) {
      const p = parent.get(id);
      known = byId.get(id)!.callFrame.functionName === 'processBatch' || (p !== undefined && underBatch(p));
      inBatch.set(id, known);
    }
    return known;
  };
  const busy = profile.samples.flatMap((s, i) => (underBatch(s) ? [i] : []));
  if (busy.length === 0) return null;
  const self = new Map<string, number>();
  for (let i = busy[0]!; i <= busy.at(-1)!; i++) {
    const { functionName, url } = byId.get(profile.samples[i]!)!.callFrame;
    const key = `${functionName || '(anonymous)'}\t${url.replace(/^.*\/(src|dist|scripts)\//, '')}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  return self;
}

/** Lines to print: the workers' busy time by group, then the top functions. */
export function summarizeProfiles(dir: string, top = 12): string[] {
  const windows = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => busyWindow(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Profile))
    .filter((w) => w !== null);
  const self = new Map<string, number>();
  for (const w of windows) for (const [k, v] of w) self.set(k, (self.get(k) ?? 0) + v);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const groups = new Map<string, number>();
  for (const [k, v] of self) {
    const [name, url] = k.split('\t') as [string, string];
    const g = groupOf(name, url);
    groups.set(g, (groups.get(g) ?? 0) + v);
  }
  const pct = (v: number): string => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  return [
    `${windows.length} worker(s), ${(total / 1e6).toFixed(2)} s of busy windows together:`,
    ...[...groups].sort((a, b) => b[1] - a[1]).map(([g, v]) => `  ${pct(v)}  ${g}`),
    'top functions (self time):',
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `  ${pct(v)}  ${k.replace('\t', '  ')}`),
  ];
}

if (import.meta.main) {
  for (const line of summarizeProfiles(process.argv[2]!, Number(process.argv[3] ?? 12))) console.log(line);
}
