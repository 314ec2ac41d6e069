// Named points of the commit protocol. The crash-safety tests run the real CLI with the hidden
// `--pause-at <entity>:<checkpoint>` flag (`…#<n>`: at its n-th pass, e.g. the second window), wait
// for the "paused" log line, and SIGKILL the process there, proving that a rerun loses nothing from
// any of these points. Costs one string compare when the flag is absent.
import type { ShopContext } from './context.ts';

export const CHECKPOINTS = ['submit-answered', 'after-submit', 'downloading', 'before-upload', 'uploading', 'before-commit'] as const;
export type Checkpoint = (typeof CHECKPOINTS)[number];

/** Passes through each checkpoint so far, for `#<n>`. */
const passes = new Map<string, number>();

export async function checkpoint(ctx: ShopContext, entity: string, name: Checkpoint): Promise<void> {
  const [at, nth = '1'] = ctx.config.pauseAt?.split('#') ?? [];
  if (at !== `${entity}:${name}`) return;
  const pass = (passes.get(at) ?? 0) + 1;
  passes.set(at, pass);
  if (String(pass) !== nth) return;
  ctx.logger.warn('paused at checkpoint', { entity, checkpoint: name });
  // Nothing else may be left to keep the process alive (a small download already fully buffered), and
  // a drained event loop would exit 0 instead of waiting for the signal.
  const keepAlive = setInterval(() => undefined, 60_000);
  try {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    clearInterval(keepAlive);
  }
  ctx.signal.throwIfAborted();
}
