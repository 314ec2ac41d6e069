// How a bulk file's lines are ordered. Shopify promises only that the order within a connection is
// kept; with groupObjects:false (the default from 2026-01) children need not follow their parent.
//   grouped:        each root line, then its subtree depth-first (groupObjects: true)
//   interleaved:    a line at depth d is written d groups later than its root, so no child ever sits
//                   directly after its parent, yet every child comes after it
//   children-first: in some groups (chosen by seed) the lines come in reverse, children before parents
// Each keeps at most a few groups in memory.
import type { LineGroup } from './bulk-executor.ts';
import { hash32, Streams } from './prng.ts';

export type Ordering = 'grouped' | 'interleaved' | 'children-first';

export function orderLines(groups: Iterable<LineGroup>, ordering: Ordering, seed: number): Iterable<string> {
  switch (ordering) {
    case 'grouped': return grouped(groups);
    case 'interleaved': return interleaved(groups);
    case 'children-first': return childrenFirst(groups, seed);
  }
}

function* grouped(groups: Iterable<LineGroup>): Generator<string> {
  for (const group of groups) yield* group.lines;
}

function* childrenFirst(groups: Iterable<LineGroup>, seed: number): Generator<string> {
  let ordinal = 0;
  for (const group of groups) {
    if (group.lines.length > 1 && hash32(seed, Streams.ordering, ordinal) % 3 === 0) {
      for (let i = group.lines.length - 1; i >= 0; i--) yield group.lines[i] ?? '';
    } else yield* group.lines;
    ordinal++;
  }
}

function depths(group: LineGroup): number[] {
  const depth: number[] = [];
  group.parents.forEach((parent, i) => {
    depth[i] = parent < 0 ? 0 : (depth[parent] ?? 0) + 1;
  });
  return depth;
}

interface Pending {
  group: LineGroup;
  depth: number[];
  ordinal: number;
}

function* interleaved(groups: Iterable<LineGroup>): Generator<string> {
  // Step k writes the roots of group k, then depth-1 lines of group k-1, depth-2 lines of group k-2, ...
  const window: Pending[] = [];
  let maxDepth = 0;
  let step = 0;
  let last: { ordinal: number; index: number } | null = null;
  for (const group of groups) {
    const depth = depths(group);
    maxDepth = Math.max(maxDepth, ...depth);
    window.unshift({ group, depth, ordinal: step });
    for (let d = 0; d < window.length; d++) {
      const pending = window[d]!;
      for (let i = 0; i < pending.group.lines.length; i++) {
        if (pending.depth[i] !== d) continue;
        yield pending.group.lines[i]!;
        last = { ordinal: pending.ordinal, index: i };
      }
    }
    while (window.length > maxDepth) window.pop();
    step++;
  }
  yield* flush(window, step, last);
}

/**
 * The lines still held when the roots run out. Writing them in the same depth order could put a
 * child right after its parent, so pick greedily: the first line whose parent is written and is not
 * the line just written (only a store with a single parent can force an exception).
 */
function* flush(window: readonly Pending[], steps: number, last: { ordinal: number; index: number } | null): Generator<string> {
  const written = (p: Pending, index: number): boolean => p.ordinal + (p.depth[index] ?? 0) < steps;
  const done = new Set<string>();
  const queue: Array<{ pending: Pending; index: number }> = [];
  for (const pending of [...window].reverse()) {
    for (let i = 0; i < pending.group.lines.length; i++) if (!written(pending, i)) queue.push({ pending, index: i });
  }
  queue.sort((x, y) => (x.pending.depth[x.index] ?? 0) - (y.pending.depth[y.index] ?? 0));
  let lastKey = last ? `${last.ordinal}:${last.index}` : null;
  while (queue.length > 0) {
    const ready = (q: { pending: Pending; index: number }): boolean => {
      const parent = q.pending.group.parents[q.index] ?? -1;
      return parent < 0 || written(q.pending, parent) || done.has(`${q.pending.ordinal}:${parent}`);
    };
    const notAfterParent = (q: { pending: Pending; index: number }): boolean => `${q.pending.ordinal}:${q.pending.group.parents[q.index]}` !== lastKey;
    let pick = queue.findIndex((q) => ready(q) && notAfterParent(q));
    if (pick < 0) pick = queue.findIndex(ready);
    const [next] = queue.splice(pick, 1);
    if (!next) break;
    lastKey = `${next.pending.ordinal}:${next.index}`;
    done.add(lastKey);
    yield next.pending.group.lines[next.index]!;
  }
}
