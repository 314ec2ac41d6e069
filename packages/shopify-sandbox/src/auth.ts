// Who may call the Admin API: the sandbox's static offline token, plus tokens issued by the client
// credentials grant (POST /admin/oauth/access_token) until they expire.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds: number;
}

/** Shopify's body for a missing or wrong X-Shopify-Access-Token (HTTP 401). */
export const INVALID_TOKEN_BODY = { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' } as const;

/** The scopes the sandbox grants unless told otherwise (--scopes): every one its data needs to be read. */
export const SANDBOX_SCOPES: readonly string[] = [
  'read_orders', 'read_all_orders', 'read_products', 'read_customers', 'read_inventory', 'read_locations', 'read_draft_orders',
  'read_merchant_managed_fulfillment_orders', 'read_shopify_payments_payouts', 'read_shopify_payments_disputes', 'read_gift_cards', 'read_returns',
  'read_markets', 'read_users',
  'read_discounts',
  'read_content', 'read_marketing_events',
];

/** `currentAppInstallation`: the installation and the scopes it was granted, as ordinary queries read them. */
export function appInstallation(id: string, scopes: readonly string[]): Record<string, unknown> {
  return {
    __typename: 'AppInstallation',
    id,
    accessScopes: scopes.map((handle) => ({ __typename: 'AccessScope', handle, description: `${handle.replace(/_/g, ' ')}` })),
  };
}

export function randomAdminToken(): string {
  return `shpat_${randomBytes(16).toString('hex')}`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * Failures follow OAuth 2.0 (RFC 6749 §5.2) with Doorkeeper's wording, which Shopify's OAuth server
 * is built on: HTTP 400 and `{error, error_description}`. Shopify's exact failure body for this grant
 * was not recorded; 400 is our choice (RFC 6749 also allows 401 for invalid_client).
 */
const INVALID_CLIENT: OAuthAnswer = {
  status: 400,
  body: {
    error: 'invalid_client',
    error_description: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
  },
};

export class AccessTokens {
  private readonly staticToken: string;
  private readonly credentials: ClientCredentials | undefined;
  private readonly now: () => number;
  private readonly scopes: readonly string[];
  private readonly issued = new Map<string, number>(); // token -> expiry (ms since epoch)

  constructor(staticToken: string, now: () => number, credentials?: ClientCredentials, scopes: readonly string[] = SANDBOX_SCOPES) {
    this.staticToken = staticToken;
    this.now = now;
    this.credentials = credentials;
    this.scopes = scopes;
  }

  accepts(token: string | undefined): boolean {
    if (!token) return false;
    if (same(token, this.staticToken)) return true;
    const expiresAt = this.issued.get(token);
    if (expiresAt === undefined) return false;
    if (this.now() < expiresAt) return true;
    this.issued.delete(token);
    return false;
  }

  /** The client credentials grant: `{client_id, client_secret, grant_type: "client_credentials"}`. */
  exchange(params: Record<string, unknown>): OAuthAnswer {
    const { client_id: clientId, client_secret: clientSecret, grant_type: grantType } = params;
    if (typeof grantType !== 'string' || grantType === '') {
      return { status: 400, body: { error: 'invalid_request', error_description: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.' } };
    }
    if (grantType !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported by the authorization server.' } };
    }
    const c = this.credentials;
    if (!c || typeof clientId !== 'string' || typeof clientSecret !== 'string' || !same(clientId, c.clientId) || !same(clientSecret, c.clientSecret)) {
      return INVALID_CLIENT;
    }
    const token = randomAdminToken();
    this.issued.set(token, this.now() + c.tokenTtlSeconds * 1000);
    return { status: 200, body: { access_token: token, scope: this.scopes.join(','), expires_in: c.tokenTtlSeconds } };
  }
}
