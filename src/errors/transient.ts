// Socket and DNS failures that a later attempt can get past (the peer restarting, a dropped connection,
// a timeout), as Node's net and undici report them: one list for every client that retries on its
// own, Shopify's (shopify/classify.ts) and GCS's (gcs/retry.ts).
const TRANSIENT_ERRNOS: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

export function isTransientErrno(errno: unknown): boolean {
  return typeof errno === 'string' && TRANSIENT_ERRNOS.has(errno);
}
