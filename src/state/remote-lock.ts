// The lock object beside a gs:// state (`key.db.lock`; docs/gcp.md#state-on-gcs): created only if
// absent, holding an owner and a lease. A live run renews the lease well before it ends; an expired
// lease is taken over with a compare-and-swap on the lock's generation, so exactly one contender wins.
// A retried write can meet its own earlier effect when only the answer was lost: a create or renewal
// that finds our owner in the lock, a delete that finds nothing, both count as done.
//
// RemoteState runs these calls one at a time with its publishes: a renewal must not move the
// generation between a publish's check of the lock and its upload, nor rewrite the lock after release.
import type { File } from '@google-cloud/storage';
import { ErrorCodes, EtlError } from '../errors/index.ts';
import { classifyGcsError, gcsStatus, type GcsRetrier } from '../gcs/index.ts';
import type { Logger } from '../report/log.ts';

export interface RemoteLockOptions {
  /** The lock object. */
  file: File;
  /** The state's gs:// URL, for messages. */
  url: string;
  owner: string;
  leaseMs: number;
  now: () => number;
  retrying: GcsRetrier;
  logger: Pick<Logger, 'info' | 'warn'> | undefined;
  /** Told once when the lock is found in other hands (to stop the heartbeat). */
  onLost: () => void;
}

interface Lease {
  owner: string;
  expiresAtMs: number;
  generation: string;
}

const ACQUIRE_ATTEMPTS = 3;

export class RemoteLock {
  readonly #file: File;
  readonly #url: string;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #retrying: GcsRetrier;
  readonly #logger: Pick<Logger, 'info' | 'warn'> | undefined;
  readonly #onLost: () => void;
  #generation = '0';
  #lost: EtlError | undefined;

  constructor(options: RemoteLockOptions) {
    this.#file = options.file;
    this.#url = options.url;
    this.#owner = options.owner;
    this.#leaseMs = options.leaseMs;
    this.#now = options.now;
    this.#retrying = options.retrying;
    this.#logger = options.logger;
    this.#onLost = options.onLost;
  }

  /** The STATE_CONFLICT a publish throws once the lock was found in other hands. */
  get lost(): EtlError | undefined {
    return this.#lost;
  }

  /**
   * Takes the lock, or throws STATE_LOCKED naming the holder and its lease expiry (waitForLock waits
   * on that). A lock whose lease has lapsed (a killed run) is taken over.
   */
  async acquire(): Promise<void> {
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt++) {
      try {
        this.#generation = await this.#write('0');
        this.#logger?.info('state lock taken', { url: this.#url, owner: this.#owner });
        return;
      } catch (err) {
        if (gcsStatus(err) !== 412) throw this.#classify(err, `locking state ${this.#url}`);
      }
      const lease = await this.#readLease().catch((err: unknown) => {
        throw this.#classify(err, `reading the state lock of ${this.#url}`);
      });
      if (!lease) continue; // released between our create and our read: try to create again
      if (lease.owner === this.#owner) {
        // Our own create (or takeover) landed and only its answer was lost.
        this.#generation = lease.generation;
        this.#logger?.info('state lock taken', { url: this.#url, owner: this.#owner });
        return;
      }
      if (lease.expiresAtMs > this.#now()) throw this.#locked(lease);
      try {
        // Compare-and-swap on the generation we saw: of several runs taking over, one wins.
        this.#generation = await this.#write(lease.generation);
        this.#logger?.warn('took over an expired state lock', { url: this.#url, previousOwner: lease.owner, expiredAt: iso(lease.expiresAtMs) });
        return;
      } catch (err) {
        if (gcsStatus(err) !== 412) throw this.#classify(err, `locking state ${this.#url}`);
      }
    }
    const lease = await this.#readLease().catch(() => undefined);
    throw lease ? this.#locked(lease) : new EtlError(ErrorCodes.STATE_LOCKED, `state ${this.#url}: the lock kept changing hands; another run is starting — try again later`);
  }

  /**
   * Extends the lease, retrying only within `budgetMs` (past the lease we hold, the lock may be someone
   * else's). A lock found in other hands is lost for good; a transient failure is only logged, for the
   * next beat to try again while the lease still has time left.
   */
  async renew(budgetMs: number): Promise<void> {
    if (this.#lost) return;
    try {
      this.#generation = await this.#write(this.#generation, budgetMs);
    } catch (err) {
      const status = gcsStatus(err);
      if (status === 412 || status === 404) {
        const holder = await this.#readLease().catch(() => undefined);
        // Our own retried write that landed before its answer was lost also meets a 412.
        if (holder?.owner === this.#owner) {
          this.#generation = holder.generation;
          return;
        }
        this.#lose(holder ? `it is now held by ${holder.owner}` : 'it was deleted');
        return;
      }
      this.#logger?.warn('state lock renewal failed; will retry', { url: this.#url, error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** Throws the STATE_CONFLICT of a lost lock unless the lock still holds the generation we wrote. */
  async assertHeld(): Promise<void> {
    let lease: Lease | undefined;
    try {
      lease = await this.#readLease();
    } catch (err) {
      throw this.#classify(err, `checking the state lock of ${this.#url}`);
    }
    if (lease?.generation === this.#generation) return;
    this.#lose(lease ? `it is now held by ${lease.owner}` : 'it was deleted');
    throw this.#lost!;
  }

  /** Deletes our lock. Never throws: a lock left behind expires with its lease. */
  async release(): Promise<void> {
    if (this.#lost || this.#generation === '0') return;
    try {
      await this.#retrying('releasing the state lock', () => this.#file.delete({ ifGenerationMatch: this.#generation }));
    } catch (err) {
      // Not found: our delete landed and only its answer was lost (or the lock was already gone).
      if (gcsStatus(err) === 404) return;
      this.#logger?.warn('could not release the state lock; it expires with its lease', {
        url: this.#url,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** Writes our lease with `ifGenerationMatch` ('0': only if absent); returns the new generation. */
  async #write(ifGenerationMatch: string, budgetMs?: number): Promise<string> {
    const expiresAtMs = this.#now() + this.#leaseMs;
    const body = { owner: this.#owner, expiresAt: iso(expiresAtMs), leaseMs: this.#leaseMs };
    await this.#retrying('writing the state lock', () => this.#file.save(`${JSON.stringify(body)}\n`, {
      resumable: false,
      contentType: 'application/json',
      preconditionOpts: { ifGenerationMatch },
      metadata: { metadata: { owner: this.#owner, expiresAtMs: String(expiresAtMs) } },
    }), { budgetMs });
    return String(this.#file.metadata.generation);
  }

  /** The current lease, or undefined when there is no lock object. */
  async #readLease(): Promise<Lease | undefined> {
    try {
      const [meta] = await this.#retrying('reading the state lock', () => this.#file.getMetadata());
      const custom = meta.metadata ?? {};
      const expiresAtMs = Number(custom.expiresAtMs);
      return {
        owner: String(custom.owner ?? 'unknown owner'),
        // A lock without a readable expiry (written by hand?) counts from its last update.
        expiresAtMs: Number.isFinite(expiresAtMs) ? expiresAtMs : Date.parse(String(meta.updated)) + this.#leaseMs,
        generation: String(meta.generation),
      };
    } catch (err) {
      if (gcsStatus(err) === 404) return undefined;
      throw err;
    }
  }

  #lose(why: string): void {
    this.#lost = new EtlError(ErrorCodes.STATE_CONFLICT, `lost the lock on state ${this.#url} (${why}); this run stops publishing state`, {
      details: { url: this.#url, owner: this.#owner },
    });
    this.#onLost();
    this.#logger?.warn('state lock lost', { url: this.#url, reason: why });
  }

  #locked(lease: Lease): EtlError {
    return new EtlError(
      ErrorCodes.STATE_LOCKED,
      `state ${this.#url} is locked by ${lease.owner} until ${iso(lease.expiresAtMs)}; another run is in progress — nothing was done. A live run renews its lease; a killed run's lock lapses with it: try again after it ends, or wait longer with --lock-wait`,
      { details: { url: this.#url, holder: lease.owner, expiresAt: iso(lease.expiresAtMs) } },
    );
  }

  #classify(err: unknown, what: string): EtlError {
    return classifyGcsError(err, what, this.#file.bucket);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
