// Sync state kept on GCS (`--state gs://bucket/key.db`; docs/gcp.md#state-on-gcs) for runners whose
// disk does not outlive the run (Cloud Run jobs, Kubernetes pods without a volume). At open: take the
// lock object beside the database (remote-lock.ts; a lock held by another run is waited for, up to
// waitMs, in case its holder died and its lease lapses), then download the database and remember its
// generation. After each committed window: snapshot with VACUUM INTO (a consistent file even while
// WAL is in use) and upload it with ifGenerationMatch, so a run that lost the race can never
// overwrite newer state. A heartbeat renews the lock's lease. Nothing here depends on the platform:
// the lock lives in the bucket.
//
// Every call is retried while it fails transiently (gcs/retry.ts), and a retried upload can meet its
// own earlier effect when only the answer was lost: one that finds our bytes counts as done.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { CRC32C } from '@google-cloud/storage';
import type { Bucket, File } from '@google-cloud/storage';
import { ErrorCodes, EtlError, fromSystemError } from '../errors/index.ts';
import { checkCredentials, classifyGcsError, createStorage, forDownload, gcsRetrier, gcsStatus, parseGsUrl, type GcsRetrier, type StorageClientOptions } from '../gcs/index.ts';
import type { Logger } from '../report/log.ts';
import { waitForLock } from './lock-wait.ts';
import { RemoteLock } from './remote-lock.ts';

export interface RemoteStateOptions extends StorageClientOptions {
  /** gs://bucket/key.db */
  url: string;
  /** Working copy of the database. It belongs to RemoteState: replaced at open by the remote copy. */
  localPath: string;
  /** Who holds the lock, for the message a second run prints: run id, host, CLOUD_RUN_EXECUTION/TASK. */
  owner: string;
  /**
   * Lease length (default 60 s). A run that stops renewing (killed) loses the lock after this, so the
   * platform's retry of a killed task gets in; it must outlast any pause of a live run's event loop.
   */
  leaseMs?: number;
  /** Lease renewal interval (default leaseMs / 3: a renewal can fail twice before the lease lapses). */
  heartbeatMs?: number;
  /** How long to wait for another run's lock to be released or to lapse (default 0: fail at once). */
  waitMs?: number;
  /** Stops the wait for the lock (SIGTERM). */
  signal?: AbortSignal;
  now?: () => number;
  logger?: Pick<Logger, 'info' | 'warn'>;
}

const DEFAULT_LEASE_MS = 60 * 1000;
const RESUMABLE_ABOVE = 8 * 2 ** 20;

export class RemoteState {
  readonly url: string;
  readonly localPath: string;
  readonly #bucket: Bucket;
  readonly #db: File;
  readonly #lock: RemoteLock;
  readonly #owner: string;
  /** How long a renewal may retry: until the lease it extends would have lapsed at the next beat. */
  readonly #renewBudgetMs: number;
  readonly #heartbeatMs: number;
  readonly #waitMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #now: () => number;
  readonly #logger: Pick<Logger, 'info' | 'warn'> | undefined;
  readonly #retrying: GcsRetrier;
  #dbGeneration = '0';
  #heartbeat: NodeJS.Timeout | undefined;
  #released = false;
  // Remote operations run one at a time: two publishes must not race on the same generation, and a
  // heartbeat must not rewrite the lock after release deleted it.
  #queue: Promise<unknown> = Promise.resolve();
  /** A publish queued but not started yet: its snapshot will include whatever is recorded until it starts. */
  #nextPublish: Promise<void> | undefined;

  private constructor(options: RemoteStateOptions) {
    const { bucket, key } = parseGsUrl(options.url);
    if (!key || key.endsWith('/')) {
      throw new EtlError(ErrorCodes.CONFIG_INVALID, `--state ${options.url} needs an object name, e.g. gs://${bucket}/etl/state.db`);
    }
    this.url = options.url;
    this.localPath = options.localPath;
    const storage = createStorage(options);
    this.#bucket = storage.bucket(bucket);
    this.#db = this.#bucket.file(key);
    this.#owner = options.owner;
    const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#heartbeatMs = options.heartbeatMs ?? Math.floor(leaseMs / 3);
    this.#renewBudgetMs = leaseMs - this.#heartbeatMs;
    this.#waitMs = options.waitMs ?? 0;
    this.#signal = options.signal;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#retrying = gcsRetrier(storage, options.logger, { url: options.url });
    this.#lock = new RemoteLock({
      file: this.#bucket.file(`${key}.lock`),
      url: options.url,
      owner: options.owner,
      leaseMs,
      now: this.#now,
      retrying: this.#retrying,
      logger: options.logger,
      onLost: () => this.#stopHeartbeat(),
    });
  }

  /**
   * Takes the lock (waiting up to waitMs while another run holds an unexpired one, then STATE_LOCKED
   * naming the holder and its lease expiry), then downloads the database to localPath, or leaves none when there is none yet.
   */
  static async open(options: RemoteStateOptions): Promise<RemoteState> {
    const state = new RemoteState(options);
    await checkCredentials(state.#bucket, `opening state ${options.url}`);
    await waitForLock(() => state.#lock.acquire(), { waitMs: state.#waitMs, state: state.url, now: state.#now, logger: state.#logger, signal: state.#signal });
    try {
      await state.#download();
    } catch (err) {
      await state.release();
      throw err;
    }
    state.#heartbeat = setInterval(() => {
      void state.renew();
    }, state.#heartbeatMs);
    // The heartbeat alone must not keep the process alive once the run is done.
    state.#heartbeat.unref();
    return state;
  }

  /**
   * For commands that only look (status): downloads the database to localPath without the lock, so a
   * running job is neither blocked nor slowed. Every publish uploads a whole consistent file, so the
   * copy is some committed state. False when there is no remote state.
   */
  static async readCopy(options: Omit<RemoteStateOptions, 'owner'>): Promise<boolean> {
    const state = new RemoteState({ ...options, owner: 'read-only' });
    await checkCredentials(state.#bucket, `reading state ${options.url}`);
    await state.#download();
    return state.#dbGeneration !== '0';
  }

  /** The generation of the remote database this run last downloaded or uploaded ('0': none yet). */
  get generation(): string {
    return this.#dbGeneration;
  }

  /**
   * Snapshots the database and uploads it over the generation we hold; STATE_CONFLICT if it moved or
   * the lock was lost. Resolves once everything the caller recorded before calling is on GCS. Callers
   * arriving while an upload runs share the one queued after it (its snapshot is taken when it starts,
   * so it holds all their records): five entities submitting at once cost two uploads, not five.
   */
  publish(db: Database.Database): Promise<void> {
    if (this.#nextPublish) return this.#nextPublish;
    const publish = this.#serially(async () => {
      this.#nextPublish = undefined;
      this.#assertUsable();
      await this.#lock.assertHeld();
      const snapshot = `${this.localPath}.snapshot-${randomUUID()}`;
      try {
        let size: number;
        try {
          db.prepare('VACUUM INTO ?').run(snapshot);
          size = (await stat(snapshot)).size;
        } catch (err) {
          if ((err as { code?: unknown }).code === 'SQLITE_FULL') {
            throw new EtlError(ErrorCodes.DISK_FULL, `snapshotting state to ${snapshot}: disk full; free space beside ${this.localPath}`, { cause: err });
          }
          throw fromSystemError(err, `snapshotting state to ${snapshot}`);
        }
        await this.#upload(snapshot, size);
      } finally {
        await rm(snapshot, { force: true });
      }
    });
    this.#nextPublish = publish;
    return publish;
  }

  async #upload(snapshot: string, size: number): Promise<void> {
    try {
      await this.#retrying('uploading the state', () => this.#bucket.upload(snapshot, {
        destination: this.#db,
        resumable: size > RESUMABLE_ABOVE,
        contentType: 'application/vnd.sqlite3',
        validation: 'crc32c',
        preconditionOpts: { ifGenerationMatch: this.#dbGeneration },
        metadata: { metadata: { owner: this.#owner } },
      }));
      this.#dbGeneration = String(this.#db.metadata.generation);
    } catch (err) {
      if (gcsStatus(err) !== 412) throw classifyGcsError(err, `publishing state to ${this.url}`, this.#bucket);
      // A retried upload whose first attempt landed (its answer lost) also meets a 412: that object is ours.
      const landed = await this.#landed(snapshot).catch(() => undefined);
      if (landed) {
        this.#dbGeneration = landed;
        return;
      }
      throw new EtlError(
        ErrorCodes.STATE_CONFLICT,
        `state ${this.url} changed under this run (we hold generation ${this.#dbGeneration}); another run wrote it, so this run's progress is not published — rerun to continue from the newer state`,
        { cause: err },
      );
    }
  }

  /** The remote generation when it holds exactly our snapshot's bytes, written by us. */
  async #landed(snapshot: string): Promise<string | undefined> {
    const [meta] = await this.#retrying('reading the state', () => this.#db.getMetadata());
    const ours = (await CRC32C.fromFile(snapshot)).toString();
    return meta.crc32c === ours && meta.metadata?.owner === this.#owner ? String(meta.generation) : undefined;
  }

  /** Extends the lease now (the heartbeat calls this). A lock found in other hands stops further publishes. */
  renew(): Promise<void> {
    return this.#serially(async () => {
      if (!this.#released) await this.#lock.renew(this.#renewBudgetMs);
    });
  }

  /** Stops the heartbeat and deletes our lock. Never throws: a lock left behind expires with its lease. */
  release(): Promise<void> {
    this.#stopHeartbeat();
    return this.#serially(async () => {
      if (this.#released) return;
      this.#released = true;
      await this.#lock.release();
    });
  }

  #assertUsable(): void {
    if (this.#lock.lost) throw this.#lock.lost;
    if (this.#released) throw new EtlError(ErrorCodes.INTERNAL, `state ${this.url} was already released`);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async #download(): Promise<void> {
    // The remote copy is the truth: a stale working copy, and above all a stale -wal beside it, must go.
    await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(`${this.localPath}${suffix}`, { force: true })));
    let generation: string;
    try {
      const [meta] = await this.#retrying('reading the state', () => this.#db.getMetadata());
      generation = String(meta.generation);
    } catch (err) {
      if (gcsStatus(err) === 404) {
        this.#dbGeneration = '0';
        this.#logger?.info('no remote state yet; starting empty', { url: this.url });
        return;
      }
      throw classifyGcsError(err, `reading state ${this.url}`, this.#bucket);
    }
    const partial = `${this.localPath}.download-${randomUUID()}`;
    try {
      await mkdir(dirname(this.localPath), { recursive: true });
      // Pinned to the generation we just saw, so the bytes and the generation we remember agree.
      const pinned = forDownload(this.#bucket.file(this.#db.name, { generation: Number(generation) }));
      await this.#retrying('downloading the state', () => pinned.download({ destination: partial, validation: 'crc32c' }));
      await rename(partial, this.localPath);
    } catch (err) {
      await rm(partial, { force: true });
      if (gcsStatus(err) === undefined && (err as NodeJS.ErrnoException).errno !== undefined) throw fromSystemError(err, `writing ${this.localPath}`);
      throw classifyGcsError(err, `downloading state ${this.url}`, this.#bucket);
    }
    this.#dbGeneration = generation;
    this.#logger?.info('state downloaded', { url: this.url, generation });
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
