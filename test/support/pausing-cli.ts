// The CLI's run command (src/main.ts) with one flag more, for the crash-safety tests: `--pause-at <entity>:<checkpoint>`
// (`…#<n>`: at its n-th pass, e.g. the second window). There the run logs "paused at checkpoint" and
// waits to be stopped; the tests SIGKILL it at that point of the commit protocol and prove that a rerun
// loses nothing. startCli (cli.ts) runs this entry instead of src/main.ts when the flag is given.
import { runCommand } from '../../src/cli/commands.ts';
import { parseConfig } from '../../src/cli/config.ts';
import type { Checkpoint, SyncHooks } from '../../src/sync/hooks.ts';

/** Every checkpoint, in a fixed order: the gs:// soak picks from it by its seed. */
export const CHECKPOINTS = ['submit-answered', 'after-submit', 'downloading', 'before-upload', 'uploading', 'before-commit'] as const satisfies readonly Checkpoint[];

export function pauseAt(spec: string): SyncHooks {
  const [at, nth = '1'] = spec.split('#');
  let passes = 0;
  return {
    checkpoint: async (e) => {
      if (`${e.entity}:${e.checkpoint}` !== at) return;
      // Mid-download is after the second batch: the first are written, the rest of the file not yet read.
      if (e.checkpoint === 'downloading' && e.batch !== 2) return;
      if (String(++passes) !== nth) return;
      // The parts those batches closed are uploaded before the pause, so a kill leaves them on the destination.
      await e.uploadsSettled?.();
      e.logger.warn('paused at checkpoint', { entity: e.entity, checkpoint: e.checkpoint });
      // Nothing else may be left to keep the process alive (a small download already fully buffered), and
      // a drained event loop would exit 0 instead of waiting for the signal.
      const keepAlive = setInterval(() => undefined, 60_000);
      try {
        await new Promise<void>((resolve) => e.signal.addEventListener('abort', () => resolve(), { once: true }));
      } finally {
        clearInterval(keepAlive);
      }
      e.signal.throwIfAborted();
    },
  };
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--pause-at');
  const hooks = i < 0 ? {} : pauseAt(args.splice(i, 2)[1]!);
  const config = await parseConfig(args);
  if (config?.command !== 'run') throw new Error('pausing-cli.ts takes the arguments of a run');
  process.exitCode = await runCommand(config, hooks);
}
