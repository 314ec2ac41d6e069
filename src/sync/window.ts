// One window's way through the commit protocol, as a state machine. Every transition is written to
// the state before the step it allows, and made durable (persist) wherever a later run relies on it:
//
//   planned ──submit──▶ submitted ──every part closed, each in the outbox──▶ downloaded
//     ──every part uploaded──▶ uploaded ──listed in the manifest, then one transaction──▶ committed
//
// submitted is first written without an operation id, before the query goes out: a rerun that finds
// it so looks for the operation by its query (operation.ts). A plain entity (one GraphQL request) goes
// from planned straight to downloaded. An attempt that starts over (a new operation, or staged files
// found lost) goes back to submitted or downloaded from any open state. A window ends failed (the next
// run plans its range again), abandoned (split in two, by time or by id) or, with its operation still
// running, stays submitted for the next run to adopt. A run killed anywhere leaves the window in the last state
// written, and the next run resumes it from there (entity-run.ts; what each state promises a rerun:
// docs/design.md#window-states).
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { StagedFile } from '../load/destination.ts';
import type { Manifest, ManifestWindow } from '../load/manifest.ts';
import type { Logger } from '../report/log.ts';
import type { StateDb } from '../state/db.ts';
import type { OperationRow, OperationSnapshot } from '../state/operations.ts';
import type { WindowRow, WindowStatus } from '../state/windows.ts';
import type { Checkpoint, CheckpointEvent, SyncHooks } from './hooks.ts';

/** The states each state may move to. */
const MOVES: Record<WindowStatus, readonly WindowStatus[]> = {
  planned: ['submitted', 'downloaded', 'failed', 'abandoned'],
  submitted: ['submitted', 'downloaded', 'failed', 'abandoned'],
  downloaded: ['submitted', 'downloaded', 'uploaded', 'failed', 'abandoned'],
  uploaded: ['submitted', 'downloaded', 'uploaded', 'committed', 'failed', 'abandoned'],
  committed: [],
  failed: [],
  abandoned: [],
};

export interface WindowDeps {
  state: Pick<StateDb, 'windows' | 'operations'>;
  manifest: Pick<Manifest, 'addWindow'>;
  /** Makes what the state recorded so far durable beyond this machine (remote state); resolves once it is. */
  persist: () => Promise<void>;
  logger: Logger;
  signal: AbortSignal;
  hooks: SyncHooks;
}

/** What a window read, for its transitions to downloaded and uploaded. */
export interface WindowFacts {
  lines: number;
  maxCursor: string | null;
}

export class WindowMachine {
  readonly id: number;
  readonly entity: string;
  readonly #deps: WindowDeps;

  constructor(deps: WindowDeps, windowId: number) {
    this.#deps = deps;
    this.id = windowId;
    this.entity = deps.state.windows.get(windowId).entity;
  }

  /** The window as the state has it now. */
  get row(): WindowRow {
    return this.#deps.state.windows.get(this.id);
  }

  /**
   * Before the query of its part `part` (Entity.parts) goes to Shopify, and durable: a run dying before
   * it records the answer leaves its successor a window to look for.
   */
  async submitting(part = 0): Promise<void> {
    this.#check('submitted');
    this.#deps.state.windows.markSubmitting(this.id, part);
    await this.#deps.persist();
  }

  /** The operation Shopify answered with (or one found running for this window's part), recorded and durable. Returns a record it replaced. */
  async submitted(op: OperationSnapshot, queryHash: string, shop: string, part = 0): Promise<OperationRow | undefined> {
    this.#check('submitted');
    const stale = this.#deps.state.operations.recordSubmitted(this.id, this.entity, shop, op, queryHash, part);
    await this.#deps.persist();
    return stale;
  }

  /** Every part is closed and in the outbox: a crash from here on only has uploads left to finish. */
  downloaded(facts: WindowFacts): void {
    this.#move('downloaded', facts);
  }

  uploaded(facts: WindowFacts): void {
    this.#move('uploaded', facts);
  }

  /**
   * The commit: the run manifest lists the window and its parts first, then one transaction commits
   * it and moves the watermark, then the state is made durable. Returns the watermark.
   */
  async commit(entry: Omit<ManifestWindow, 'files'>, files: StagedFile[]): Promise<string | null> {
    this.#check('committed');
    await this.#deps.manifest.addWindow(entry, files);
    await this.checkpoint('before-commit');
    const { watermark } = this.#deps.state.windows.commit(this.id);
    await this.#deps.persist();
    return watermark;
  }

  /** Given up: the range is planned again by the next run. */
  failed(error: EtlError): void {
    this.#move('failed', { errorCode: error.code, error: error.message });
  }

  /** Its operation still runs: the next run adopts it (or cancels it if it no longer fits). */
  keptOpen(error: EtlError): void {
    this.#move('submitted', { errorCode: error.code, error: error.message });
  }

  /** Replaced by its two halves (by time or by id range, entity-run.ts). */
  abandoned(error: EtlError): void {
    this.#move('abandoned', { errorCode: error.code, error: `${error.message}; split in two` });
  }

  /** A named point of the protocol, for the run's hooks. */
  async checkpoint(checkpoint: Checkpoint, extra: Pick<CheckpointEvent, 'batch' | 'uploadsSettled'> = {}): Promise<void> {
    await this.#deps.hooks.checkpoint?.({ entity: this.entity, checkpoint, logger: this.#deps.logger, signal: this.#deps.signal, ...extra });
  }

  #move(to: WindowStatus, facts: Parameters<WindowDeps['state']['windows']['setStatus']>[2]): void {
    this.#check(to);
    this.#deps.state.windows.setStatus(this.id, to, facts);
  }

  #check(to: WindowStatus): void {
    const from = this.row.status;
    if (!MOVES[from].includes(to)) throw new EtlError(ErrorCodes.INTERNAL, `window ${this.id} (${this.entity}) cannot move from ${from} to ${to}`);
  }
}
