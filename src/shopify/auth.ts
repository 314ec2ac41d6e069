// Where the Admin API access token comes from. A provider is called before every request, so a token
// can be renewed while a long bulk operation runs: a fixed offline token (SHOPIFY_ACCESS_TOKEN), or one
// obtained with the client credentials grant (apps owned by the shop's organisation, docs/peers.md#client-credentials),
// which expires after about 24 hours.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { classifyNetworkError, parseRetryAfter } from './classify.ts';

export interface TokenProvider {
  (): Promise<string>;
  /** Drops a cached token so the next call fetches a fresh one (after the API answered 401). */
  invalidate?: () => void;
}

export function staticToken(token: string): TokenProvider {
  return async () => token;
}

export interface ClientCredentialsOptions {
  adminUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  now?: () => number;
}

/** Renew this long before expiry: 10% of the lifetime, at most five minutes. */
const MAX_RENEW_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  value: string;
  renewAt: number;
}

export function clientCredentialsToken(options: ClientCredentialsOptions): TokenProvider {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const endpoint = `${options.adminUrl.replace(/\/+$/, '')}/admin/oauth/access_token`;
  const host = new URL(endpoint).host;
  let cached: CachedToken | null = null;
  // Concurrent requests share one token exchange instead of racing several.
  let pending: Promise<string> | null = null;

  async function exchange(): Promise<string> {
    let response: Response;
    try {
      response = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ client_id: options.clientId, client_secret: options.clientSecret, grant_type: 'client_credentials' }),
      });
    } catch (err) {
      throw classifyNetworkError(err, `token exchange with ${host}`, host);
    }
    const text = await response.text().catch((err: unknown) => {
      throw classifyNetworkError(err, `token exchange with ${host}`, host);
    });
    if (!response.ok) throw tokenHttpError(response, host, now());
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = {};
    }
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new EtlError(ErrorCodes.AUTH_INVALID, `the token exchange with ${host} answered without an access_token`, {
        details: { status: response.status },
      });
    }
    const lifetimeMs = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : null;
    const issuedAt = now();
    cached = {
      value: body.access_token,
      renewAt: lifetimeMs === null ? Number.POSITIVE_INFINITY : issuedAt + lifetimeMs - Math.min(MAX_RENEW_MARGIN_MS, lifetimeMs / 10),
    };
    return body.access_token;
  }

  const provider: TokenProvider = async () => {
    if (cached && now() < cached.renewAt) return cached.value;
    pending ??= exchange().finally(() => {
      pending = null;
    });
    return pending;
  };
  provider.invalidate = () => {
    cached = null;
  };
  return provider;
}

function tokenHttpError(response: Response, host: string, now: number): EtlError {
  const status = response.status;
  if (status === 400 || status === 401 || status === 403) {
    return new EtlError(
      ErrorCodes.AUTH_INVALID,
      `the client credentials token exchange with ${host} was refused (HTTP ${status}): check the app's client ID and client ` +
        `secret, that the app is installed on this shop, and that the shop belongs to the app's organisation`,
      { details: { status } },
    );
  }
  if (status === 404) {
    return new EtlError(ErrorCodes.SHOP_NOT_FOUND, `no token endpoint at ${host} (HTTP 404): check --shop and --admin-url`, {
      details: { status },
    });
  }
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), now);
  return new EtlError(ErrorCodes.HTTP_TRANSIENT, `the token exchange with ${host} answered HTTP ${status}`, {
    action: status === 429 || status >= 500 ? 'resend' : 'fail',
    details: { status },
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}
