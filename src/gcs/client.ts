// The @google-cloud/storage client as the gs:// destination (load/gcs.ts) and the gs:// state
// (state/remote.ts) both build it (docs/gcp.md#gcs-client): one endpoint rule, one credentials rule,
// and a twin client for downloads that never retries on its own.
import { Storage } from '@google-cloud/storage';
import type { File, StorageOptions } from '@google-cloud/storage';
import { ErrorCodes, EtlError } from '../errors/index.ts';

export type RetryOptions = NonNullable<StorageOptions['retryOptions']>;

export interface StorageClientOptions {
  /** Explicit endpoint (the CLI's --gcs-endpoint); otherwise STORAGE_EMULATOR_HOST, else GCS with ADC. */
  apiEndpoint?: string | undefined;
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
 * (withGcsRetries in retry.ts).
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
function emulatorEndpoint(value: string | undefined): string | undefined {
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
