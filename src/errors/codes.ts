// The stable error codes: what logs, the summary and the manifest's failures carry, and what callers
// match on. What each one makes the job do is in policy.ts.

export const ErrorCodes = {
  // configuration and usage
  CONFIG_INVALID: 'CONFIG_INVALID',
  SANDBOX_UNAVAILABLE: 'SANDBOX_UNAVAILABLE', // --sandbox, but the shopify-sandbox package is not installed or did not start
  // the shop refuses us as a whole
  AUTH_INVALID: 'AUTH_INVALID', // 401
  SHOP_FROZEN: 'SHOP_FROZEN', // 402
  SHOP_FORBIDDEN: 'SHOP_FORBIDDEN', // 403
  SHOP_NOT_FOUND: 'SHOP_NOT_FOUND', // 404
  SHOP_LOCKED: 'SHOP_LOCKED', // 423
  // one entity's query, its bulk operation and its result file
  ACCESS_DENIED: 'ACCESS_DENIED', // missing scope
  SCOPE_MISSING: 'SCOPE_MISSING', // the preflight found an entity's scope not granted, and --entities asked for it
  GRAPHQL_ERROR: 'GRAPHQL_ERROR', // a top-level GraphQL error that is not transient
  BULK_QUERY_INVALID: 'BULK_QUERY_INVALID', // userErrors from bulkOperationRunQuery
  BULK_FAILED: 'BULK_FAILED', // FAILED with INTERNAL_SERVER_ERROR (or an unknown errorCode)
  BULK_TIMEOUT: 'BULK_TIMEOUT', // FAILED with TIMEOUT
  BULK_CANCELED: 'BULK_CANCELED', // CANCELED by Shopify (or stuck and cancelled by us)
  BULK_EXPIRED: 'BULK_EXPIRED', // result URL no longer valid
  BULK_STUCK: 'BULK_STUCK', // CREATED/RUNNING past the configured bound
  OPERATION_IN_PROGRESS: 'OPERATION_IN_PROGRESS', // no free slot and waiting did not help
  VERIFY_MISMATCH: 'VERIFY_MISMATCH', // lines read != objectCount, or a URL missing
  COUNT_SHORTFALL: 'COUNT_SHORTFALL', // fewer records than the store counts for the window
  CHILDREN_INCOMPLETE: 'CHILDREN_INCOMPLETE', // fewer child lines than their parent's line counts (a discount's codes vs codesCount)
  MALFORMED_JSONL: 'MALFORMED_JSONL',
  DOWNLOAD_FAILED: 'DOWNLOAD_FAILED',
  SNAPSHOT_INCOMPLETE: 'SNAPSHOT_INCOMPLETE', // an id snapshot that did not complete whole: no deletion is judged from it
  // transport conditions
  THROTTLED: 'THROTTLED',
  HTTP_TRANSIENT: 'HTTP_TRANSIENT', // 429, 5xx, maintenance page
  NETWORK: 'NETWORK', // reset, refused, timeout
  TLS_CERT_INVALID: 'TLS_CERT_INVALID', // a server's certificate does not verify (untrusted CA, expired, another host name)
  // the machine and the destination
  DISK_FULL: 'DISK_FULL',
  DEST_UNWRITABLE: 'DEST_UNWRITABLE', // a local path (destination, staging, state) cannot be written
  DEST_CONFLICT: 'DEST_CONFLICT', // an object exists with other bytes: never overwritten
  DEST_PERMISSION: 'DEST_PERMISSION',
  DEST_DAMAGED: 'DEST_DAMAGED', // a JSON object this job wrote (a manifest) no longer reads as JSON
  STATE_UNWRITABLE: 'STATE_UNWRITABLE', // the state file or its folder cannot be created or written
  STATE_UNREADABLE: 'STATE_UNREADABLE', // the state file is damaged, not SQLite, or of a newer schema
  STATE_LOCKED: 'STATE_LOCKED', // another run holds the state lock
  STATE_CONFLICT: 'STATE_CONFLICT', // remote state changed under us
  MODEL_UNREADABLE: 'MODEL_UNREADABLE', // a model file the report reads is not gzip'd NDJSON
  QUALITY_CHECK_FAILED: 'QUALITY_CHECK_FAILED', // --strict-quality, and a financial accuracy check failed (or could not be computed)
  INTERRUPTED: 'INTERRUPTED', // SIGTERM / SIGINT
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
