// Picks the destination from the --dest value: `gs://bucket/prefix` is Cloud Storage, anything else
// (a path or a file:// URL) is a local folder.
import { fileURLToPath } from 'node:url';
import { ErrorCodes, EtlError } from '../errors.ts';
import type { Destination } from './destination.ts';
import { GcsDestination, parseGsUrl } from './gcs.ts';
import { LocalDestination } from './local.ts';

export type { Destination, StagedFile, UploadResult } from './destination.ts';

export function openDestination(spec: string, options: { gcsEndpoint?: string | undefined } = {}): Destination {
  if (spec.startsWith('gs://')) {
    const { bucket, key } = parseGsUrl(spec);
    return new GcsDestination({ bucket, prefix: key, apiEndpoint: options.gcsEndpoint });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) {
    throw new EtlError(ErrorCodes.CONFIG_INVALID, `unsupported destination ${spec}; use a folder path or gs://BUCKET/PREFIX`);
  }
  if (spec.trim() === '') throw new EtlError(ErrorCodes.CONFIG_INVALID, 'empty destination; use a folder path or gs://BUCKET/PREFIX');
  return new LocalDestination(spec.startsWith('file://') ? fileURLToPath(spec) : spec);
}
