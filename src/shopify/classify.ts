// Turns what Shopify (or the network) answered into one EtlError with a stable code (whose action, in
// src/errors/policy.ts, says whether sending the request again can help) and a message that says what to fix. This is the only place HTTP statuses, GraphQL `extensions.code`s and
// socket errnos are interpreted. Messages carry Shopify's own short error texts but never request
// headers or raw bodies, so no credential can ride along.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { classifyCertificateError } from '../errors/tls.ts';
import { isTransientErrno } from '../errors/transient.ts';

export interface ClassifyContext {
  shop: string;
  apiVersion: string;
  /** HTTP statuses the retry policy treats as transient. */
  retryStatuses: readonly number[];
  /** For HTTP-date Retry-After values. */
  now: () => number;
}

export interface GraphQLErrorLike {
  message?: unknown;
  extensions?: { code?: unknown; requiredAccess?: unknown; [key: string]: unknown } | null;
}

const MAX_TEXT = 300;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

/** `Retry-After` as seconds: delta-seconds or an HTTP-date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

function hostOf(location: string | null | undefined): string | null {
  if (!location) return null;
  try {
    return new URL(location).host;
  } catch {
    return null;
  }
}

/** Shopify's own error text from a JSON error body (`{"errors": "..."}` or `{"errors": [{message}]}`). */
function bodyErrorText(contentType: string, body: string): string {
  if (!contentType.includes('json')) return '';
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    const errors = parsed.errors;
    if (typeof errors === 'string') return clip(errors);
    if (Array.isArray(errors)) {
      return clip(errors.map((e) => (typeof e === 'string' ? e : String((e as GraphQLErrorLike)?.message ?? ''))).join('; '));
    }
    if (errors && typeof errors === 'object') return clip(JSON.stringify(errors));
  } catch {
    // Not JSON after all: say nothing rather than echo an arbitrary body.
  }
  return '';
}

/** A non-2xx answer from the GraphQL endpoint. */
export function classifyHttpStatus(
  response: { status: number; contentType: string; body: string; retryAfter: string | null; location?: string | null },
  ctx: ClassifyContext,
): EtlError {
  const { status, contentType } = response;
  if (status >= 300 && status < 400) {
    // A renamed or moved shop redirects; following it would turn the POST into a GET, so say where it went.
    const target = hostOf(response.location);
    return new EtlError(
      ErrorCodes.SHOP_NOT_FOUND,
      `Shopify redirected requests for ${ctx.shop} (HTTP ${status})${target ? ` to ${target}` : ''}: the shop's domain changed; update --shop / --admin-url`,
      { details: { status, shop: ctx.shop, redirectHost: target } },
    );
  }
  const said = bodyErrorText(contentType, response.body);
  const saidPart = said ? `; Shopify said: ${said}` : '';
  const details = { status, shop: ctx.shop, apiVersion: ctx.apiVersion };
  switch (status) {
    case 401:
      return new EtlError(
        ErrorCodes.AUTH_INVALID,
        `Shopify rejected the access token for ${ctx.shop} (HTTP 401)${saidPart}. Set SHOPIFY_ACCESS_TOKEN to the Admin API ` +
          `access token (shpat_…) of an app that is installed on ${ctx.shop}, and check that --shop names the shop the token belongs to`,
        { details },
      );
    case 402:
      return new EtlError(
        ErrorCodes.SHOP_FROZEN,
        `${ctx.shop} is frozen (HTTP 402 Payment Required): the shop has an unpaid bill or is paused; nothing can be read until the owner settles it`,
        { details },
      );
    case 403:
      return new EtlError(
        ErrorCodes.SHOP_FORBIDDEN,
        `Shopify refused access to ${ctx.shop} (HTTP 403)${saidPart}. The app is missing a required access scope ` +
          `(read_orders, read_all_orders, read_products, read_customers, read_inventory, ...) or is not allowed on this shop; ` +
          `grant the scopes in the app's configuration and reinstall it`,
        { details },
      );
    case 404:
      return new EtlError(
        ErrorCodes.SHOP_NOT_FOUND,
        `Shopify answered HTTP 404 for /admin/api/${ctx.apiVersion}/graphql.json on ${ctx.shop}: the shop domain or the API ` +
          `version path is wrong; check --shop (the *.myshopify.com domain), --admin-url and --api-version`,
        { details },
      );
    case 423:
      return new EtlError(
        ErrorCodes.SHOP_LOCKED,
        `${ctx.shop} is locked (HTTP 423)${saidPart}; Shopify locks shops for fraud review or violations, contact the shop owner`,
        { details },
      );
    default:
      break;
  }
  const resend = ctx.retryStatuses.includes(status);
  const retryAfterSeconds = parseRetryAfter(response.retryAfter, ctx.now());
  const options = { action: resend ? 'resend' : 'fail', details, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) } as const;
  if (status === 503 && contentType.includes('text/html')) {
    return new EtlError(ErrorCodes.HTTP_TRANSIENT, `Shopify is unavailable for ${ctx.shop} (HTTP 503 maintenance page)`, options);
  }
  if (status === 429) {
    return new EtlError(ErrorCodes.HTTP_TRANSIENT, `Shopify rate-limited requests for ${ctx.shop} (HTTP 429)${saidPart}`, options);
  }
  if (status >= 500 || resend) {
    return new EtlError(ErrorCodes.HTTP_TRANSIENT, `Shopify answered HTTP ${status} for ${ctx.shop}${saidPart}`, options);
  }
  return new EtlError(ErrorCodes.GRAPHQL_ERROR, `Shopify rejected the request for ${ctx.shop} (HTTP ${status})${saidPart}`, {
    details,
  });
}

/** A 2xx answer whose body is not a GraphQL result (a proxy's error page, a truncated body). */
export function classifyUnreadable(status: number, contentType: string, ctx: ClassifyContext): EtlError {
  return new EtlError(
    ErrorCodes.HTTP_TRANSIENT,
    `Shopify answered HTTP ${status} for ${ctx.shop} with a body that is not a GraphQL result (${contentType || 'no content type'})`,
    { details: { status, contentType, shop: ctx.shop } },
  );
}

function codeOf(error: GraphQLErrorLike): string {
  const code = error.extensions?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: GraphQLErrorLike): string {
  return typeof error.message === 'string' ? clip(error.message) : '';
}

/** The access scope an ACCESS_DENIED error names (`requiredAccess`, or `read_x` in its message). */
function requiredScopes(error: GraphQLErrorLike): string[] {
  const text = [error.extensions?.requiredAccess, error.message].filter((s) => typeof s === 'string').join(' ');
  return [...new Set(text.match(/\b(?:read|write)_[a-z_]+/g) ?? [])];
}

/** Top-level GraphQL `errors` of a 2xx answer. THROTTLED is reported so the caller can wait for the bucket. */
export function classifyGraphQLErrors(errors: readonly GraphQLErrorLike[], ctx: ClassifyContext): EtlError {
  const codes = errors.map(codeOf);
  const messages = errors.map(messageOf).filter(Boolean);
  const details = { shop: ctx.shop, graphqlCodes: codes.filter(Boolean) };
  if (codes.includes('THROTTLED')) {
    return new EtlError(ErrorCodes.THROTTLED, `Shopify throttled the request for ${ctx.shop} (cost bucket empty)`, { details });
  }
  const denied = errors.find((e) => codeOf(e) === 'ACCESS_DENIED');
  if (denied) {
    const scopes = requiredScopes(denied);
    const fix = scopes.length
      ? `grant the ${scopes.join(', ')} scope${scopes.length > 1 ? 's' : ''} to the app and reinstall it`
      : `grant the app the access scope this query needs and reinstall it`;
    return new EtlError(ErrorCodes.ACCESS_DENIED, `Access denied on ${ctx.shop}: ${messageOf(denied)}; ${fix}`, {
      details: { ...details, scopes },
    });
  }
  if (codes.includes('SHOP_INACTIVE')) {
    return new EtlError(ErrorCodes.SHOP_FROZEN, `${ctx.shop} is inactive (SHOP_INACTIVE): the shop is frozen, paused or closed`, {
      details,
    });
  }
  if (codes.includes('INTERNAL_SERVER_ERROR')) {
    return new EtlError(ErrorCodes.HTTP_TRANSIENT, `Shopify reported an internal error for ${ctx.shop}: ${messages.join('; ')}`, { details });
  }
  return new EtlError(ErrorCodes.GRAPHQL_ERROR, `Shopify returned GraphQL errors for ${ctx.shop}: ${messages.join('; ') || codes.join(', ')}`, {
    details,
  });
}

/** The first errno-style `code` along an error's cause chain (fetch hides the socket error in `cause`). */
export function errnoOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the error is, or wraps, an abort or timeout from an AbortSignal. */
export function abortKind(err: unknown): 'timeout' | 'abort' | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth += 1) {
    const name = (current as { name?: unknown }).name;
    if (name === 'TimeoutError') return 'timeout';
    if (name === 'AbortError') return 'abort';
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A failure below HTTP: no answer, or an answer cut off. `what` names the peer, e.g. "Shopify for acme";
 * `host` the server called, named when its TLS certificate does not verify.
 */
export function classifyNetworkError(err: unknown, what: string, host: string): EtlError {
  const certificate = classifyCertificateError(err, what, host);
  if (certificate) return certificate;
  const errno = errnoOf(err);
  if (abortKind(err) === 'timeout') {
    return new EtlError(ErrorCodes.NETWORK, `${what}: request timed out`, { cause: err, details: { errno: 'TIMEOUT' } });
  }
  if (errno === 'ENOTFOUND') {
    return new EtlError(ErrorCodes.NETWORK, `${what}: host name does not resolve (ENOTFOUND); check --shop and --admin-url`, {
      action: 'fail',
      cause: err,
      details: { errno },
    });
  }
  // No errno at all is a connection cut some other way: worth another attempt.
  return new EtlError(ErrorCodes.NETWORK, `${what}: connection failed (${errno ?? 'no errno'})`, {
    action: errno === undefined || isTransientErrno(errno) ? 'resend' : 'fail',
    cause: err,
    details: { errno: errno ?? null },
  });
}

/**
 * A non-success answer from the signed result URL (a GCS-style file host, not Shopify's API). 400 and
 * 403 mean the signature expired or no longer matches, 404/410 that the file is gone: either way only a
 * new operation (or a fresh read of it) gives a working URL.
 */
export function classifyDownloadStatus(
  response: { status: number; retryAfter: string | null },
  host: string,
  retryStatuses: readonly number[],
  now: number,
): EtlError {
  const { status } = response;
  const details = { status, host };
  if (status === 400 || status === 403 || status === 404 || status === 410) {
    return new EtlError(
      ErrorCodes.BULK_EXPIRED,
      `the bulk result URL on ${host} is no longer valid (HTTP ${status}); signed URLs expire 7 days after completion, so the window is extracted again`,
      { details },
    );
  }
  if (retryStatuses.includes(status)) {
    const retryAfterSeconds = parseRetryAfter(response.retryAfter, now);
    return new EtlError(ErrorCodes.HTTP_TRANSIENT, `downloading the bulk result from ${host} answered HTTP ${status}`, {
      details,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
  return new EtlError(ErrorCodes.DOWNLOAD_FAILED, `downloading the bulk result from ${host} answered HTTP ${status}`, { details });
}
