// GCS client errors as the codes an operator acts on (src/errors): one mapping for the destination and
// the state, naming the bucket and, for access problems, the role to grant.
import type { Bucket } from '@google-cloud/storage';
import { ErrorCodes, EtlError, isEtlError } from '../errors/index.ts';
import { classifyCertificateError } from '../errors/tls.ts';

/** The one predefined role that can create, overwrite and delete objects (replacing needs delete too). */
const OBJECT_ROLE = 'roles/storage.objectUser';

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
    throw classifyGcsError(err, what, bucket);
  }
}

/**
 * Classifies a client error once, naming the object and, for access problems, the role to grant; a
 * TLS certificate that does not verify names the endpoint's host.
 */
export function classifyGcsError(err: unknown, what: string, from: Bucket): EtlError {
  if (isEtlError(err)) return err;
  const certificate = classifyCertificateError(err, what, URL.parse(from.storage.apiEndpoint)?.host ?? from.storage.apiEndpoint);
  if (certificate) return certificate;
  const bucket = from.name;
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
      details: { bucket, status },
    });
  }
  if (status === undefined) {
    return new EtlError(ErrorCodes.NETWORK, `${what}: ${detail}`, { cause: err, details: { bucket } });
  }
  return new EtlError(ErrorCodes.INTERNAL, `${what}: GCS answered ${status} (${detail})`, { cause: err, details: { bucket, status } });
}
