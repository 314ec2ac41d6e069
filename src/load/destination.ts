// Where processed files go. Two implementations share this contract: local.ts (a folder) and gcs.ts
// (a gs:// bucket and prefix). Object names are relative to the destination root and deterministic,
// so re-uploading after a crash either finds the same bytes (skipped) or fails loudly.
import { ErrorCodes, EtlError } from '../errors/index.ts';

/**
 * A JSON object of ours (a manifest) that no longer parses: changed or cut by someone else, since ours
 * are written whole. Guessing around it could cost data (a run's clear-up deletes the parts its
 * manifest does not list), so the shop stops until it is put back.
 */
export function damagedJson(where: string, cause: unknown): EtlError {
  return new EtlError(ErrorCodes.DEST_DAMAGED, `${where} is not valid JSON (${(cause as Error).message}): it was changed after this job wrote it; restore it (e.g. from the bucket's object versions or a backup) before the next run`, { cause });
}

/** A closed part file in the local staging folder, ready to upload. */
export interface StagedFile {
  /** Absolute path of the staged file. */
  localPath: string;
  /** Name under the destination root, e.g. `orders/shop=a.myshopify.com/dt=2026-11-21/run=r1/part-00000.ndjson.gz`. */
  objectName: string;
  /** CRC32C of the bytes, base64 of the big-endian uint32 (GCS's encoding). */
  crc32c: string;
  bytes: number;
  rows: number;
  contentType: string;
}

export interface UploadResult {
  objectName: string;
  /** True when the object already existed with the same CRC32C (a rerun after a crash). */
  skipped: boolean;
  /** GCS generation, when the destination has one. */
  generation?: string;
}

export interface Destination {
  /** `file:///abs/path` or `gs://bucket/prefix`, for logs and manifests. */
  readonly url: string;
  /** Fails fast, before any Shopify work, when the destination cannot be written (naming the fix). */
  check(): Promise<void>;
  /** Durably stores the file under its object name. Idempotent for identical bytes; DEST_CONFLICT otherwise. */
  upload(file: StagedFile, signal?: AbortSignal): Promise<UploadResult>;
  /** Writes a small JSON document (manifest, schema). `replace` allows overwriting an existing one. */
  writeJson(objectName: string, value: unknown, options: { replace: boolean }): Promise<void>;
  /** Reads a JSON document, or null when absent. */
  readJson(objectName: string): Promise<unknown | null>;
  /**
   * Removes a part file that no manifest will list (its window is being extracted again), so readers
   * of the folders (BigQuery external tables) do not see its rows twice. Absent objects are fine.
   */
  delete(objectName: string): Promise<void>;
  /**
   * Names of everything stored under a folder-like prefix (ending in `/`), relative to the root, sorted:
   * a rerun lists a killed run's own folders to find the parts no manifest will list. For a folder,
   * that includes a copy an interrupted upload left under a temporary name.
   */
  list(prefix: string): Promise<string[]>;
}
