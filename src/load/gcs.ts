// The gs://bucket/prefix destination, on the official @google-cloud/storage client. Every write
// carries a generation precondition: it is what makes the client retry uploads at all (its default
// RetryConditional strategy retries writes only with one) and it is how we never overwrite an
// object silently. Part files are .ndjson.gz archives stored as `application/gzip` with no
// contentEncoding, so GCS never transcodes them on download.
//
// Every call is retried while it fails transiently (withGcsRetries: 5xx, resets, refused connections),
// and a call that still fails is judged by its effect, not its error: when the answer was lost, not
// the request, a write finds its own bytes in place (usually as a 412 on the retry) and a delete finds
// nothing to delete (a 404). Both count as done, like the answer would have.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CRC32C, Storage } from '@google-cloud/storage';
import type { Bucket, File, StorageOptions } from '@google-cloud/storage';
import { ErrorCodes, EtlError, isEtlError } from '../errors/index.ts';
import type { Logger } from '../report/log.ts';
import type { Destination, StagedFile, UploadResult } from './destination.ts';
import { withGcsRetries } from './gcs-retry.ts';

/** The one predefined role that can create, overwrite and delete objects (replacing needs delete too). */
export const OBJECT_ROLE = 'roles/storage.objectUser';

const MiB = 2 ** 20;
/** Where check() writes its probe, under the prefix. */
const PROBES = '_probe/';

export type RetryOptions = NonNullable<StorageOptions['retryOptions']>;

export interface StorageClientOptions {
  /** Explicit endpoint (the CLI's --gcs-endpoint); otherwise STORAGE_EMULATOR_HOST, else GCS with ADC. */
  apiEndpoint?: string | undefined;
  projectId?: string | undefined;
  /** The client's retry budget; tests shorten the delays. */
  retryOptions?: RetryOptions | undefined;
}

/** One configured client. A custom endpoint is called without credentials, as emulators expect. */
export function createStorage(options: StorageClientOptions = {}): Storage {
  const storage = buildStorage(options, options.retryOptions);
  downloaders.set(storage, buildStorage(options, { ...storage.retryOptions, autoRetry: false }));
  return storage;
}

/** Each client's twin for downloads (see forDownload). */
const downloaders = new WeakMap<Storage, Storage>();

/**
 * `file` through its client's twin that never retries on its own, to download it. When the client
 * retries a download answered 429 or 5xx, it destroys the response stream before teeny-request pipes
 * it, and that pipe throws where no caller can catch it: an unhandled ERR_STREAM_UNABLE_TO_PIPE ends
 * the process (googleapis/google-cloud-node#8670). The caller retries the whole download instead
 * (withGcsRetries). A client not made by createStorage keeps its own retries.
 */
export function forDownload(file: File): File {
  const twin = downloaders.get(file.bucket.storage);
  if (!twin) return file;
  return twin.bucket(file.bucket.name).file(file.name, file.generation === undefined ? {} : { generation: file.generation });
}

function buildStorage(options: StorageClientOptions, retryOptions: RetryOptions | undefined): Storage {
  const endpoint = emulatorEndpoint(options.apiEndpoint ?? process.env.STORAGE_EMULATOR_HOST);
  const storage = new Storage({
    ...(endpoint ? { apiEndpoint: endpoint } : {}),
    ...(options.projectId ? { projectId: options.projectId } : {}),
    ...(retryOptions ? { retryOptions } : {}),
  });
  // The client takes STORAGE_EMULATOR_HOST verbatim as the JSON API's base URL (and only then
  // ignores apiEndpoint for it), which suits only an emulator serving that API at `/`. Emulators
  // (fsouza/fake-gcs-server, gcp-storage-emulator) serve it under /storage/v1, as GCS does.
  if (endpoint) storage.baseUrl = `${storage.apiEndpoint}/storage/v1`;
  return storage;
}

/**
 * An emulator's address as the client's apiEndpoint: `host:port` (the form the Go and Python clients
 * take) gets `http://`, and a trailing `/storage/v1` (the JSON API's own path) is dropped.
 */
export function emulatorEndpoint(value: string | undefined): string | undefined {
  const trimmed = value?.trim().replace(/\/+$/, '');
  if (!trimmed) return undefined;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  return url.replace(/\/storage\/v1$/, '');
}

/** Splits `gs://bucket/some/key` into its bucket and key (the key may be empty). */
export function parseGsUrl(url: string): { bucket: string; key: string } {
  const m = /^gs:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (!m?.[1]) throw new EtlError(ErrorCodes.CONFIG_INVALID, `not a gs:// URL: ${url}; expected gs://BUCKET/PATH`);
  return { bucket: m[1], key: m[2] ?? '' };
}

/** The HTTP status of a client error, whichever of the client's error shapes carries it. */
export function gcsStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; status?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.code, e.status, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
    if (typeof candidate === 'string' && /^\d{3}$/.test(candidate)) return Number(candidate);
  }
  return undefined;
}

/** The auth library's message when Application Default Credentials find nothing. */
const NO_CREDENTIALS = /Could not load the default credentials/;

/**
 * Fails with the fix when GCS would be called with no credentials. The client itself goes on without
 * them (a public bucket might not care), so the run would otherwise fail later on a 401, or offline on
 * a DNS error, neither naming the cause. An emulator's endpoint is called without credentials: no check.
 */
export async function checkCredentials(bucket: Bucket, what: string): Promise<void> {
  if (bucket.storage.customEndpoint) return;
  try {
    await bucket.storage.authClient.getClient();
  } catch (err) {
    throw classifyGcsError(err, what, bucket.name);
  }
}

/** Classifies a client error once, naming the object and, for access problems, the role to grant. */
export function classifyGcsError(err: unknown, what: string, bucket: string): EtlError {
  if (isEtlError(err)) return err;
  if (err instanceof Error && NO_CREDENTIALS.test(err.message)) {
    return new EtlError(
      ErrorCodes.CONFIG_INVALID,
      `${what}: no Application Default Credentials to call GCS with; on Cloud Run or GKE run the job as a service account holding ${OBJECT_ROLE} on gs://${bucket}; by hand, run \`gcloud auth application-default login\` or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file`,
      { cause: err, details: { bucket } },
    );
  }
  const status = gcsStatus(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403) {
    return new EtlError(
      ErrorCodes.DEST_PERMISSION,
      `${what}: permission denied on bucket gs://${bucket} (${detail}); grant the job's service account ${OBJECT_ROLE} on the bucket (check Application Default Credentials when running by hand)`,
      { cause: err, details: { bucket, status } },
    );
  }
  if (status === 404) {
    return new EtlError(
      ErrorCodes.DEST_UNWRITABLE,
      `${what}: bucket gs://${bucket} does not exist or is not visible; create it or fix the gs:// URL, and grant ${OBJECT_ROLE} on it`,
      { cause: err, details: { bucket, status } },
    );
  }
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) {
    return new EtlError(ErrorCodes.HTTP_TRANSIENT, `${what}: GCS answered ${status} after retries (${detail})`, {
      cause: err,
      retryable: true,
      details: { bucket, status },
    });
  }
  if (status === undefined) {
    return new EtlError(ErrorCodes.NETWORK, `${what}: ${detail}`, { cause: err, retryable: true, details: { bucket } });
  }
  return new EtlError(ErrorCodes.INTERNAL, `${what}: GCS answered ${status} (${detail})`, { cause: err, details: { bucket, status } });
}

export interface GcsDestinationOptions extends StorageClientOptions {
  bucket: string;
  /** Folder inside the bucket; empty for the bucket root. */
  prefix: string;
  /** Files larger than this use a chunked resumable upload (default 8 MiB). */
  resumableThreshold?: number;
  /** Resumable chunk size, a multiple of 256 KiB (default 8 MiB); a dropped connection resends at most one chunk. */
  chunkSize?: number;
  /** Share one client per process; built from the other options when absent. */
  storage?: Storage;
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
  readonly #storage: Storage;
  readonly #bucket: Bucket;
  readonly #prefix: string;
  readonly #resumableThreshold: number;
  readonly #chunkSize: number;
  readonly #logger: Pick<Logger, 'warn'> | undefined;

  constructor(options: GcsDestinationOptions) {
    this.#storage = options.storage ?? createStorage(options);
    this.#bucket = this.#storage.bucket(options.bucket);
    this.#prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.#resumableThreshold = options.resumableThreshold ?? 8 * MiB;
    this.#chunkSize = options.chunkSize ?? 8 * MiB;
    this.#logger = options.logger;
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
      throw classifyGcsError(err, what, this.#bucket.name);
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
      throw classifyGcsError(err, what, this.#bucket.name);
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
        if (gcsStatus(err) !== 412) throw classifyGcsError(err, what, this.#bucket.name);
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
      throw classifyGcsError(err, what, this.#bucket.name);
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
      throw classifyGcsError(err, what, this.#bucket.name);
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
      throw classifyGcsError(err, what, this.#bucket.name);
    }
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch (err) {
      throw new EtlError(ErrorCodes.INTERNAL, `${this.#gsUrl(target)} is not valid JSON`, { cause: err });
    }
  }

  /**
   * Runs a write of the bytes with `crc32c` to `target`, with retries; returns the generation stored.
   * When it fails but the object holds exactly those bytes, it counts as done (`found`): our own
   * write whose answer was lost, or the same bytes written before.
   */
  async #write(target: File, crc32c: string, what: string, write: () => Promise<unknown>, signal?: AbortSignal): Promise<{ generation: string; found: boolean }> {
    try {
      await this.#retrying(what, write, signal);
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
      throw classifyGcsError(err, what, this.#bucket.name);
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

  #retrying<T>(what: string, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withGcsRetries(call, {
      retry: this.#storage.retryOptions,
      signal,
      onRetry: (err, attempt, waitMs) => this.#logger?.warn(`${what} failed; retrying`, { attempt, waitMs, error: err instanceof Error ? err.message : String(err) }),
    });
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
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}
