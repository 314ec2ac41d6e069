// The fake server's in-memory buckets and objects, with GCS's rules for generations, preconditions
// and listing. Nothing here knows about HTTP beyond the status a failed rule maps to.
import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';

export interface FakeObject {
  bucket: string;
  name: string;
  bytes: Buffer;
  generation: string;
  metageneration: string;
  contentType: string;
  contentEncoding: string | undefined;
  /** Custom metadata (`metadata.metadata` in the client). */
  metadata: Record<string, string>;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
}

export interface Preconditions {
  ifGenerationMatch?: string | undefined;
  ifGenerationNotMatch?: string | undefined;
  ifMetagenerationMatch?: string | undefined;
  ifMetagenerationNotMatch?: string | undefined;
}

export interface WriteMetadata {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /** Hashes the writer declared; GCS rejects the upload when the bytes do not match them. */
  crc32c?: string | undefined;
  md5Hash?: string | undefined;
}

/** A failure GCS reports as an HTTP status with a JSON error body. */
export class GcsHttpError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

interface Bucket {
  name: string;
  timeCreated: string;
  forbidden: boolean;
  objects: Map<string, FakeObject>;
}

const PRINCIPAL = 'etl-test@fake-project.iam.gserviceaccount.com';

export function crc32cOf(bytes: Buffer): string {
  const crc = new CRC32C();
  crc.update(bytes);
  return crc.toString();
}

export function md5Of(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('base64');
}

export class ObjectStore {
  readonly #buckets = new Map<string, Bucket>();
  #lastGeneration = 0;

  createBucket(name: string): void {
    if (this.#buckets.has(name)) {
      throw new GcsHttpError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.');
    }
    this.#buckets.set(name, { name, timeCreated: new Date().toISOString(), forbidden: false, objects: new Map() });
  }

  forbid(name: string): void {
    const bucket = this.#buckets.get(name);
    if (bucket) bucket.forbidden = true;
    else this.#buckets.set(name, { name, timeCreated: new Date().toISOString(), forbidden: true, objects: new Map() });
  }

  bucketNames(): string[] {
    return [...this.#buckets.values()].filter((b) => !b.forbidden).map((b) => b.name).sort();
  }

  /** The bucket, or the 404/403 GCS answers; `permission` names what the caller tried. */
  bucket(name: string, permission: string): Bucket {
    const bucket = this.#buckets.get(name);
    if (!bucket) throw new GcsHttpError(404, 'notFound', 'The specified bucket does not exist.');
    if (bucket.forbidden) {
      const kind = permission.startsWith('storage.buckets.') ? 'bucket' : 'object';
      throw new GcsHttpError(
        403,
        'forbidden',
        `${PRINCIPAL} does not have ${permission} access to the Google Cloud Storage ${kind}. Permission '${permission}' denied on resource (or it may not exist).`,
      );
    }
    return bucket;
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name, 'storage.buckets.delete');
    if (bucket.objects.size > 0) throw new GcsHttpError(409, 'conflict', 'The bucket you tried to delete is not empty.');
    this.#buckets.delete(name);
  }

  bucketResource(name: string): Record<string, unknown> {
    const bucket = this.bucket(name, 'storage.buckets.get');
    return {
      kind: 'storage#bucket',
      id: bucket.name,
      name: bucket.name,
      projectNumber: '123456789',
      metageneration: '1',
      location: 'US',
      storageClass: 'STANDARD',
      timeCreated: bucket.timeCreated,
      updated: bucket.timeCreated,
    };
  }

  /** Reads an object: 404 when absent; a failed NotMatch precondition is 304, any other 412. */
  read(bucketName: string, name: string, pre: Preconditions, generation?: string): FakeObject {
    const existing = this.bucket(bucketName, 'storage.objects.get').objects.get(name);
    if (!existing || (generation !== undefined && generation !== existing.generation)) {
      throw new GcsHttpError(404, 'notFound', `No such object: ${bucketName}/${name}`);
    }
    checkPreconditions(existing, pre, 'read');
    return existing;
  }

  /** Stores a new generation of an object if the preconditions hold against the live one. */
  write(bucketName: string, name: string, bytes: Buffer, meta: WriteMetadata, pre: Preconditions): FakeObject {
    const bucket = this.bucket(bucketName, 'storage.objects.create');
    if (!name) throw new GcsHttpError(400, 'required', 'Required');
    const existing = bucket.objects.get(name);
    checkPreconditions(existing, pre, 'write');
    const crc32c = crc32cOf(bytes);
    const md5Hash = md5Of(bytes);
    if (meta.crc32c !== undefined && meta.crc32c !== crc32c) {
      throw new GcsHttpError(400, 'invalid', `Provided CRC32C "${meta.crc32c}" doesn't match calculated CRC32C "${crc32c}".`);
    }
    if (meta.md5Hash !== undefined && meta.md5Hash !== md5Hash) {
      throw new GcsHttpError(400, 'invalid', `Provided MD5 hash "${meta.md5Hash}" doesn't match calculated MD5 hash "${md5Hash}".`);
    }
    const now = new Date().toISOString();
    const object: FakeObject = {
      bucket: bucketName,
      name,
      bytes,
      generation: String(this.#nextGeneration()),
      metageneration: '1',
      contentType: meta.contentType ?? 'application/octet-stream',
      contentEncoding: meta.contentEncoding,
      metadata: { ...meta.metadata },
      md5Hash,
      crc32c,
      timeCreated: now,
      updated: now,
    };
    bucket.objects.set(name, object);
    return object;
  }

  /** Updates metadata in place (a new metageneration, same generation), as objects.patch does. */
  patch(bucketName: string, name: string, changes: Record<string, unknown>, pre: Preconditions): FakeObject {
    const bucket = this.bucket(bucketName, 'storage.objects.update');
    const existing = bucket.objects.get(name);
    if (!existing) throw new GcsHttpError(404, 'notFound', `No such object: ${bucketName}/${name}`);
    checkPreconditions(existing, pre, 'write');
    if (typeof changes.contentType === 'string') existing.contentType = changes.contentType;
    const custom = changes.metadata;
    if (custom && typeof custom === 'object') {
      for (const [key, value] of Object.entries(custom as Record<string, unknown>)) {
        if (value === null) delete existing.metadata[key];
        else existing.metadata[key] = String(value);
      }
    }
    existing.metageneration = String(Number(existing.metageneration) + 1);
    existing.updated = new Date().toISOString();
    return existing;
  }

  delete(bucketName: string, name: string, pre: Preconditions): void {
    const bucket = this.bucket(bucketName, 'storage.objects.delete');
    const existing = bucket.objects.get(name);
    if (!existing) throw new GcsHttpError(404, 'notFound', `No such object: ${bucketName}/${name}`);
    checkPreconditions(existing, pre, 'write');
    bucket.objects.delete(name);
  }

  /** Checks preconditions before a write is accepted (resumable uploads check at start and at the end). */
  checkWrite(bucketName: string, name: string, pre: Preconditions): void {
    const existing = this.bucket(bucketName, 'storage.objects.create').objects.get(name);
    checkPreconditions(existing, pre, 'write');
  }

  list(bucketName: string, query: ListQuery): ListPage {
    const bucket = this.bucket(bucketName, 'storage.objects.list');
    const prefix = query.prefix ?? '';
    const entries: Array<{ key: string; object?: FakeObject }> = [];
    for (const name of [...bucket.objects.keys()].sort()) {
      if (!name.startsWith(prefix)) continue;
      const cut = query.delimiter ? name.indexOf(query.delimiter, prefix.length) : -1;
      if (cut >= 0) {
        const common = name.slice(0, cut + (query.delimiter?.length ?? 0));
        if (entries.at(-1)?.key !== common) entries.push({ key: common });
      } else {
        entries.push({ key: name, object: bucket.objects.get(name) as FakeObject });
      }
    }
    // Names sharing a prefix are contiguous when sorted, so entries stay sorted by key and a page
    // token can simply be the last key returned.
    const after = query.pageToken === undefined ? undefined : Buffer.from(query.pageToken, 'base64url').toString('utf8');
    const remaining = after === undefined ? entries : entries.filter((e) => e.key > after);
    const page = remaining.slice(0, query.maxResults ?? 1000);
    const last = page.at(-1);
    return {
      items: page.flatMap((e) => (e.object ? [e.object] : [])),
      prefixes: page.flatMap((e) => (e.object ? [] : [e.key])),
      nextPageToken: remaining.length > page.length && last ? Buffer.from(last.key, 'utf8').toString('base64url') : undefined,
    };
  }

  objects(bucketName: string): FakeObject[] {
    const bucket = this.#buckets.get(bucketName);
    return bucket ? [...bucket.objects.values()].sort((a, b) => (a.name < b.name ? -1 : 1)) : [];
  }

  object(bucketName: string, name: string): FakeObject | undefined {
    return this.#buckets.get(bucketName)?.objects.get(name);
  }

  #nextGeneration(): number {
    // GCS generations are microsecond timestamps; strictly increasing is what clients rely on.
    this.#lastGeneration = Math.max(this.#lastGeneration + 1, Date.now() * 1000);
    return this.#lastGeneration;
  }
}

export interface ListQuery {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  maxResults?: number | undefined;
  pageToken?: string | undefined;
}

export interface ListPage {
  items: FakeObject[];
  prefixes: string[];
  nextPageToken: string | undefined;
}

const PRECONDITION_FAILED = 'At least one of the pre-conditions you specified did not hold.';

function checkPreconditions(existing: FakeObject | undefined, pre: Preconditions, mode: 'read' | 'write'): void {
  const fail = (notMatch: boolean): never => {
    if (notMatch && mode === 'read') throw new GcsHttpError(304, 'notModified', 'Not Modified');
    throw new GcsHttpError(412, 'conditionNotMet', PRECONDITION_FAILED);
  };
  const generation = existing?.generation ?? '0';
  if (pre.ifGenerationMatch !== undefined && pre.ifGenerationMatch !== generation) fail(false);
  if (pre.ifGenerationNotMatch !== undefined && pre.ifGenerationNotMatch === generation) fail(true);
  if (pre.ifMetagenerationMatch !== undefined && existing?.metageneration !== pre.ifMetagenerationMatch) fail(false);
  if (pre.ifMetagenerationNotMatch !== undefined && existing?.metageneration === pre.ifMetagenerationNotMatch) fail(true);
}

export function objectResource(object: FakeObject, baseUrl: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(object.bucket)}/o/${encodeURIComponent(object.name)}`;
  const resource: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: object.generation,
    metageneration: object.metageneration,
    contentType: object.contentType,
    storageClass: 'STANDARD',
    size: String(object.bytes.length),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: Buffer.from(`${object.generation}/${object.metageneration}`).toString('base64'),
    timeCreated: object.timeCreated,
    updated: object.updated,
  };
  if (object.contentEncoding !== undefined) resource.contentEncoding = object.contentEncoding;
  if (Object.keys(object.metadata).length > 0) resource.metadata = object.metadata;
  return resource;
}
