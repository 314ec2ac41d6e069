// Picks the destination from the --dest value: `gs://bucket/prefix` is Cloud Storage, anything else
// (a path or a file:// URL) is a local folder. The storage client is loaded only for gs:// (it costs
// ~35 MB of memory a local run has no use for).
import { fileURLToPath } from 'node:url';
import { ErrorCodes, EtlError } from '../errors/index.ts';
import type { Logger } from '../report/log.ts';
import type { Destination } from './destination.ts';
import { LocalDestination } from './local.ts';

export type { Destination, StagedFile, UploadResult } from './destination.ts';

export interface OpenDestinationOptions {
  gcsEndpoint?: string | undefined;
  /** GCS only: part files larger than this use a chunked resumable upload (default 8 MiB). */
  resumableThreshold?: number | undefined;
  /** GCS only: resumable chunk size, a multiple of 256 KiB (default 8 MiB). */
  chunkSize?: number | undefined;
  /** GCS only: told about each retried call. */
  logger?: Pick<Logger, 'warn'> | undefined;
}

export async function openDestination(spec: string, options: OpenDestinationOptions = {}): Promise<Destination> {
  if (spec.startsWith('gs://')) {
    const [{ GcsDestination }, { parseGsUrl }] = await Promise.all([import('./gcs.ts'), import('../gcs/index.ts')]);
    const { bucket, key } = parseGsUrl(spec);
    return new GcsDestination({
      bucket,
      prefix: key,
      apiEndpoint: options.gcsEndpoint,
      logger: options.logger,
      ...(options.resumableThreshold !== undefined ? { resumableThreshold: options.resumableThreshold } : {}),
      ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) {
    throw new EtlError(ErrorCodes.CONFIG_INVALID, `unsupported destination ${spec}; use a folder path or gs://BUCKET/PREFIX`);
  }
  if (spec.trim() === '') throw new EtlError(ErrorCodes.CONFIG_INVALID, 'empty destination; use a folder path or gs://BUCKET/PREFIX');
  return new LocalDestination(spec.startsWith('file://') ? fileURLToPath(spec) : spec);
}
