// The one GCS client module, shared by the gs:// destination (load/gcs.ts) and the gs:// state
// (state/remote.ts): client construction, retries, and error mapping. Only those two import it, and
// they are loaded lazily: a run without gs:// never loads the storage client (~35 MB of memory).
export { createStorage, forDownload, parseGsUrl, type RetryOptions, type StorageClientOptions } from './client.ts';
export { checkCredentials, classifyGcsError, gcsStatus } from './errors.ts';
export { gcsRetrier, type GcsRetrier } from './retry.ts';
