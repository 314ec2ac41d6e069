// What a caller may observe of a run from inside: the named points of the commit protocol. The
// crash-safety tests pass hooks that stop the process at one of them and SIGKILL it there (see
// test/support/pausing-cli.ts), proving that a rerun loses nothing from any point. The product passes
// none: each point then costs one optional call.
import type { Logger } from '../report/log.ts';

/**
 * `submit-answered`: Shopify answered the submit, the id is not yet recorded. `after-submit`: recorded.
 * `downloading`: after each batch of a result file is written (`batch` counts them). `before-upload`
 * and `uploading`: before the first and each later part upload. `before-commit`: the manifest lists the
 * window, the state has not committed it.
 */
export type Checkpoint = 'submit-answered' | 'after-submit' | 'downloading' | 'before-upload' | 'uploading' | 'before-commit';

export interface CheckpointEvent {
  entity: string;
  checkpoint: Checkpoint;
  logger: Logger;
  /** The run's abort signal: a hook that waits should end when the run is stopped. */
  signal: AbortSignal;
  /** `downloading` only: the batch just written (1, 2, …) and a promise for the window's uploads started so far. */
  batch?: number;
  uploadsSettled?: () => Promise<void>;
}

export interface SyncHooks {
  /** Awaited at each point; nothing of the window moves on meanwhile. */
  checkpoint?: (event: CheckpointEvent) => Promise<void>;
}
