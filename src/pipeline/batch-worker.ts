// Worker thread entry: turns batches of JSONL lines into compressed table segments (batch.ts) and
// hands the segments back by moving their memory, not copying it, with the batch's own memory for reuse.
import { parentPort } from 'node:worker_threads';
import { queryPartByName } from '../entities/index.ts';
import { processBatch } from './batch.ts';
import { WarmUps } from './warm-up.ts';
import type { BatchReply, BatchTask, WarmUpTask } from './worker-pool.ts';

const port = parentPort;
if (!port) throw new Error('batch-worker.ts runs only as a worker thread');

// The thread moves memory out with every reply, which detaches an ArrayBuffer: the first time that
// happens V8 throws away every optimised function that reads a typed array (it had assumed none ever
// would be detached: its "array buffer detaching protector"), the whole row path, to be compiled again.
// Detached once here, before anything is compiled, the code is compiled once (warm-up.ts).
new ArrayBuffer(8).transfer();

const warmUps = new WarmUps();

port.on('message', (task: BatchTask | WarmUpTask) => {
  if ('warmUp' in task) {
    warmUps.add(queryPartByName(task.warmUp), task.stamp, task.gzipLevel);
    return;
  }
  warmUps.stop();
  let reply: BatchReply;
  try {
    const bytes = new Uint8Array(task.memory, 0, task.length);
    reply = { id: task.id, outcome: processBatch(queryPartByName(task.entity), task.stamp, bytes, task.gzipLevel), memory: task.memory };
  } catch (err) {
    // Not a line's fault (processBatch returns those): report it as the worker's own failure.
    reply = { id: task.id, crash: err instanceof Error ? (err.stack ?? err.message) : String(err), memory: task.memory };
  }
  const moved = reply.outcome?.ok ? reply.outcome.segments.flatMap((s) => [s.segment.bytes.buffer as ArrayBuffer, ...[s.segment.ids, s.segment.sums].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []))]) : [];
  port.postMessage(reply, [...moved, task.memory]);
});
