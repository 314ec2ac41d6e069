// The gs://bucket/prefix destination, on the official @google-cloud/storage client. Every write
// carries a generation precondition: it is what makes the client retry uploads at all (its default
// RetryConditional strategy retries writes only with one) and it is how we never overwrite an
// object silently. Part files are .ndjson.gz archives stored as `application/gzip` with no
// contentEncoding, so GCS never transcodes them on download.
//
// Every call is retried while it fails transiently (gcs/retry.ts: 5xx, resets, refused connections),
// and a call that still fails is judged by its effect, not its error: when the answer was lost, not
// the request, a write finds its own bytes in place (usually as a 412 on the retry) and a delete finds
// nothing to delete (a 404). Both count as done, like the answer would have.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File } from '@google-cloud/storage';
import { ErrorCodes, EtlError } from '../errors/index.ts';
import { checkCredentials, classifyGcsError, createStorage, forDownload, gcsRetrier, gcsStatus, type GcsRetrier, type StorageClientOptions } from '../gcs/index.ts';
import { crc32c, crc32cBase64 } from '../io/crc.ts';
import type { Logger } from '../report/log.ts';
import { damagedJson, type Destination, type StagedFile, type UploadResult } from './destination.ts';

const MiB = 2 ** 20;
/** Where check() writes its probe, under the prefix. */
const PROBES = '_probe/';

export interface GcsDestinationOptions extends StorageClientOptions {
  bucket: string;
  /** Folder inside the bucket; empty for the bucket root. */
  prefix: string;
  /** Files larger than this use a chunked resumable upload (default 8 MiB). */
  resumableThreshold?: number;
  /** Resumable chunk size, a multiple of 256 KiB (default 8 MiB); a dropped connection resends at most one chunk. */
  chunkSize?: number;
  /** Told about each retry. */
  logger?: Pick<Logger, 'warn'> | undefined;
}

/** What holds an object name now. */
interface Stored {
  crc32c: string;
  generation: string;
}

export class GcsDestination implements Destination {
  readonly url: string;
  readonly #bucket: Bucket;
  readonly #prefix: string;
  readonly #resumableThreshold: number;
  readonly #chunkSize: number;
  readonly #retrying: GcsRetrier;

  constructor(options: GcsDestinationOptions) {
    const storage = createStorage(options);
    this.#bucket = storage.bucket(options.bucket);
    this.#prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.#resumableThreshold = options.resumableThreshold ?? 8 * MiB;
    this.#chunkSize = options.chunkSize ?? 8 * MiB;
    this.#retrying = gcsRetrier(storage, options.logger);
    this.url = `gs://${options.bucket}${this.#prefix ? `/${this.#prefix}` : ''}`;
  }

  /**
   * Proves we can create and delete objects under the prefix by doing it. Reading bucket metadata
   * would need storage.buckets.get, which the object role we ask for does not include. Probes left
   * by runs killed between the create and the delete go too: a probe is worth nothing once its check
   * is over, and one deleted under a live check counts as deleted for that check as well.
   */
  async check(): Promise<void> {
    const probe = this.#bucket.file(this.#name(`${PROBES}${process.pid}-${Date.now()}`));
    const what = `checking ${this.url}`;
    await checkCredentials(this.#bucket, what);
    const body = Buffer.from('ok\n');
    try {
      const { generation } = await this.#write(probe, crc32cOfBuffer(body), what, () =>
        probe.save(body, { resumable: false, contentType: 'text/plain', preconditionOpts: { ifGenerationMatch: 0 } }),
      );
      await this.#delete(what, () => probe.delete({ ifGenerationMatch: generation }));
    } catch (err) {
      throw classifyGcsError(err, what, this.#bucket);
    }
    for (const left of await this.list(PROBES)) await this.delete(left);
  }

  async upload(file: StagedFile, signal?: AbortSignal): Promise<UploadResult> {
    const target = this.#bucket.file(this.#name(file.objectName));
    const resumable = file.bytes > this.#resumableThreshold;
    const what = `uploading ${this.#gsUrl(target)}`;
    // The client retries chunks of a resumable upload itself; a whole attempt (a simple upload, or a
    // resumable session that ran out of retries) is retried by withGcsRetries, in a new session.
    const attempt = async (): Promise<void> => {
      const sink = target.createWriteStream({
        resumable,
        ...(resumable ? { chunkSize: this.#chunkSize } : {}),
        contentType: file.contentType,
        validation: 'crc32c',
        preconditionOpts: { ifGenerationMatch: 0 },
        // Declaring the CRC32C makes GCS itself reject bytes that differ from what the writer staged.
        metadata: { contentType: file.contentType, crc32c: file.crc32c, metadata: { rows: String(file.rows) } },
      });
      await pipeline(createReadStream(file.localPath), sink, ...(signal ? [{ signal }] : []));
    };
    try {
      // Found in place: written by an earlier run, or by this call when only the answer was lost (the
      // client then meets a 412, or a finished session it cannot resume).
      const { generation, found } = await this.#write(target, file.crc32c, what, attempt, signal);
      return { objectName: file.objectName, skipped: found, generation };
    } catch (err) {
      if (signal?.aborted) throw this.#aborted(target, err);
      if (gcsStatus(err) === 412) throw await this.#conflictAt(target, file.crc32c, what);
      throw classifyGcsError(err, what, this.#bucket);
    }
  }

  async writeJson(objectName: string, value: unknown, options: { replace: boolean }): Promise<void> {
    const target = this.#bucket.file(this.#name(objectName));
    const body = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    const what = `writing ${this.#gsUrl(target)}`;
    // With replace, a 412 that is not our own write means another writer got in between our read
    // and our write: read again.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.#write(target, crc32cOfBuffer(body), what, async () => {
          const generation = options.replace ? await this.#generationOf(target) : '0';
          await target.save(body, { resumable: false, contentType: 'application/json', validation: 'crc32c', preconditionOpts: { ifGenerationMatch: generation } });
        });
        return;
      } catch (err) {
        if (gcsStatus(err) !== 412) throw classifyGcsError(err, what, this.#bucket);
        if (!options.replace) throw await this.#conflictAt(target, crc32cOfBuffer(body), what);
      }
    }
    throw new EtlError(ErrorCodes.DEST_CONFLICT, `${what}: the object kept changing under us; is another run writing to ${this.url}?`);
  }

  async delete(objectName: string): Promise<void> {
    const target = this.#bucket.file(this.#name(objectName));
    const what = `deleting ${this.#gsUrl(target)}`;
    try {
      await this.#delete(what, () => target.delete());
    } catch (err) {
      throw classifyGcsError(err, what, this.#bucket);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const full = this.#name(prefix);
    const what = `listing gs://${this.#bucket.name}/${full}`;
    try {
      const [files] = await this.#retrying(what, () => this.#bucket.getFiles({ prefix: full }));
      const root = this.#prefix ? `${this.#prefix}/` : '';
      return files.map((f) => f.name.slice(root.length)).sort();
    } catch (err) {
      throw classifyGcsError(err, what, this.#bucket);
    }
  }

  async readJson(objectName: string): Promise<unknown | null> {
    const target = this.#bucket.file(this.#name(objectName));
    const what = `reading ${this.#gsUrl(target)}`;
    let bytes: Buffer;
    try {
      [bytes] = await this.#retrying(what, () => forDownload(target).download());
    } catch (err) {
      if (gcsStatus(err) === 404) return null;
      throw classifyGcsError(err, what, this.#bucket);
    }
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (err) {
      throw damagedJson(this.#gsUrl(target), err);
    }
  }

  /**
   * Runs a write of the bytes with `crc32c` to `target`, with retries; returns the generation stored.
   * When it fails but the object holds exactly those bytes, it counts as done (`found`): our own
   * write whose answer was lost, or the same bytes written before.
   */
  async #write(target: File, crc32c: string, what: string, write: () => Promise<unknown>, signal?: AbortSignal): Promise<{ generation: string; found: boolean }> {
    try {
      await this.#retrying(what, write, { signal });
      return { generation: String(target.metadata.generation), found: false };
    } catch (err) {
      if (signal?.aborted) throw err;
      const stored = await this.#stored(target, what);
      if (stored?.crc32c === crc32c) return { generation: stored.generation, found: true };
      throw err;
    }
  }

  /** Runs a delete with retries; a 404 means it is done (our earlier attempt's answer was lost, or nothing was there). */
  async #delete(what: string, remove: () => Promise<unknown>): Promise<void> {
    try {
      await this.#retrying(what, remove);
    } catch (err) {
      if (gcsStatus(err) !== 404) throw err;
    }
  }

  /** The object's crc32c and generation, or undefined when there is none. */
  async #stored(target: File, what: string): Promise<Stored | undefined> {
    try {
      const [meta] = await this.#retrying(what, () => target.getMetadata());
      return { crc32c: String(meta.crc32c), generation: String(meta.generation) };
    } catch (err) {
      if (gcsStatus(err) === 404) return undefined;
      throw classifyGcsError(err, what, this.#bucket);
    }
  }

  async #generationOf(target: File): Promise<string> {
    try {
      const [meta] = await target.getMetadata();
      return String(meta.generation);
    } catch (err) {
      if (gcsStatus(err) === 404) return '0';
      throw err;
    }
  }

  #aborted(target: File, cause: unknown): EtlError {
    return new EtlError(ErrorCodes.INTERRUPTED, `upload of ${this.#gsUrl(target)} aborted; the next run uploads it again`, { cause });
  }

  /** The DEST_CONFLICT for a 412 on bytes that are not ours, naming what is stored. */
  async #conflictAt(target: File, ours: string, what: string): Promise<EtlError> {
    const theirs = String((await this.#stored(target, what))?.crc32c);
    return new EtlError(
      ErrorCodes.DEST_CONFLICT,
      `${this.#gsUrl(target)} already exists with different content (crc32c ${theirs}, ours ${ours}); objects are never overwritten — remove it or write to another prefix`,
      { details: { object: this.#gsUrl(target), theirs, ours } },
    );
  }

  #name(objectName: string): string {
    return this.#prefix ? `${this.#prefix}/${objectName}` : objectName;
  }

  #gsUrl(target: File): string {
    return `gs://${this.#bucket.name}/${target.name}`;
  }
}

function crc32cOfBuffer(bytes: Buffer): string {
  return crc32cBase64(crc32c(bytes));
}
