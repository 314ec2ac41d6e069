// The run manifest: the list of files a run published, with their rows, bytes and CRC32C, the windows
// they cover and the checks they passed. It is rewritten after each window's files are uploaded and
// before that window commits, and written a last time when the run ends; a file counts as published
// only once a manifest lists it. Readers that must never see a half-written run read through it.
import type { Destination } from './destination.ts';
import type { QualityReport } from '../sync/quality.ts';
import { manifestObjectName, tableOfObject } from './layout.ts';

export interface ManifestFile {
  objectName: string;
  table: string;
  rows: number;
  bytes: number;
  crc32c: string;
}

export interface ManifestWindow {
  /** The window's key in the state (`<creating run>/<window id>`): which window this is, across runs and state lineages. */
  windowKey: string;
  entity: string;
  since: string | null;
  until: string | null;
  /** A part of a window split by id (too many records on one instant): ids > after and <= through (null: open). */
  ids?: { after: string | null; through: string | null };
  operationId: string | null;
  /** An entity of several queries (src/entities/types.ts, Entity.parts): each one's operation, first query first; objectCount and linesRead are theirs together. */
  operationIds?: string[];
  /** The run that extracted the window, when this run only finished its upload and commit. */
  extractedByRun?: string;
  checks: {
    objectCount: number | null;
    linesRead: number;
    linesMatchObjectCount: boolean;
    /** Incremental bulk windows extracted by this run: the store's count beside the root rows written (src/sync/counts.ts). */
    counts?: CountCheck;
  };
  files: ManifestFile[];
}

/** Shopify's `<root>Count` for a window's filter, or the code of the failure that kept it unread. */
export type StoreCount = { count: number; precision: 'EXACT' | 'AT_LEAST' } | { error: string };

export interface CountCheck {
  /** Read when the window's operation started and when it ended. */
  atStart: StoreCount;
  atEnd: StoreCount;
  /** Records the window wrote: rows of its root table. */
  rootRows: number;
  /** rootRows reach the smaller count; null when a count is not exact or was not read, so nothing was compared. */
  covered: boolean | null;
}

export interface ManifestDocument {
  manifestVersion: 1;
  tool: { name: 'shopify-bulk-etl'; version: string };
  runId: string;
  shop: string;
  apiVersion: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
  windows: ManifestWindow[];
  tables: Record<string, { files: number; rows: number; bytes: number }>;
  failures: Array<{ entity: string; code: string; message: string }>;
  /**
   * The financial accuracy checks over the run's files (src/sync/quality.ts), once the run computed them.
   * Underscored as `_manifests` and `_shop` are: what the ETL adds about the data, not part of it.
   * Versions before this name wrote `quality` (the report reads both).
   */
  _quality?: QualityReport;
}

export class Manifest {
  private readonly doc: ManifestDocument;
  private readonly dest: Destination;
  private writes: Promise<void> = Promise.resolve();

  constructor(dest: Destination, init: Pick<ManifestDocument, 'runId' | 'shop' | 'apiVersion' | 'startedAt'> & { toolVersion: string }) {
    this.dest = dest;
    this.doc = {
      manifestVersion: 1,
      tool: { name: 'shopify-bulk-etl', version: init.toolVersion },
      runId: init.runId,
      shop: init.shop,
      apiVersion: init.apiVersion,
      startedAt: init.startedAt,
      finishedAt: null,
      status: 'running',
      windows: [],
      tables: {},
      failures: [],
    };
  }

  get objectName(): string {
    return manifestObjectName(this.doc.shop, this.doc.runId);
  }

  get document(): Readonly<ManifestDocument> {
    return this.doc;
  }

  /** Adds a window whose files are all uploaded, and publishes the manifest before the window commits. */
  async addWindow(window: Omit<ManifestWindow, 'files'>, files: Array<Omit<ManifestFile, 'table'>>): Promise<void> {
    // Only the published facts: callers pass staged files, whose local paths must not leak into the manifest.
    const listed = files.map((f): ManifestFile => ({ objectName: f.objectName, table: tableOfObject(f.objectName), rows: f.rows, bytes: f.bytes, crc32c: f.crc32c }));
    this.doc.windows.push({ ...window, files: listed });
    for (const f of listed) {
      const t = (this.doc.tables[f.table] ??= { files: 0, rows: 0, bytes: 0 });
      t.files += 1;
      t.rows += f.rows;
      t.bytes += f.bytes;
    }
    await this.publish();
  }

  addFailure(entity: string, code: string, message: string): void {
    this.doc.failures.push({ entity, code, message });
  }

  setQuality(quality: QualityReport): void {
    this.doc._quality = quality;
  }

  async finish(status: ManifestDocument['status'], finishedAt: string): Promise<void> {
    this.doc.status = status;
    this.doc.finishedAt = finishedAt;
    await this.publish();
  }

  /** Writes are serialised: concurrent entities must not race two versions of the same object. */
  private publish(): Promise<void> {
    const snapshot = JSON.parse(JSON.stringify(this.doc)) as ManifestDocument;
    this.writes = this.writes.catch(() => undefined).then(() => this.dest.writeJson(this.objectName, snapshot, { replace: true }));
    return this.writes;
  }
}
