// Worker thread entry: turns batches of JSONL lines into compressed table segments (batch.ts) and
// hands the segments back by moving their memory, not copying it, with the batch's own memory for reuse.
import { parentPort } from 'node:worker_threads';
import { queryPartByName } from '../entities/index.ts';
import { processBatch } from './batch.ts';
import type { BatchReply, BatchTask } from './worker-pool.ts';

const port = parentPort;
if (!port) throw new Error('batch-worker.ts runs only as a worker thread');

port.on('message', (task: BatchTask) => {
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
