// Many shops in one job: the shops file (JSON or YAML) that lists them with where each one's
// credentials live, the deterministic split of that list across the tasks of a Cloud Run job or a
// Kubernetes Indexed Job (which task this is: shardFromEnv in src/cli/env.ts), the shop domain and
// Admin API URL checks, and the per-shop state location that keeps their locks and watermarks apart.
// Credentials are resolved only for this task's shops (others' secrets need not be mounted here), and
// a missing one is kept as an error for that shop alone, so it fails that shop, not the whole job.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { CREDENTIALS } from './env.ts';
import { bad } from './values.ts';

export type ShopAuth =
  | { kind: 'token'; token: string }
  | { kind: 'client-credentials'; clientId: string; clientSecret: string }
  /** The shops file names credentials that are not there: this shop fails with CONFIG_INVALID. */
  | { kind: 'unavailable'; message: string };

/** Where a shop's credentials come from, as the shops file names them. */
export type AuthSource =
  | { kind: 'token-env'; name: string }
  | { kind: 'token-file'; path: string }
  | { kind: 'client-credentials-env'; clientIdEnv: string; clientSecretEnv: string };

export interface ShopEntry {
  shop: string;
  adminUrl: string | undefined;
  auth: AuthSource;
}

export interface Shard {
  index: number;
  count: number;
}

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** A shop as --shop, SHOPIFY_SHOP or a shops file names it, as its permanent myshopify domain. */
export function normaliseShop(value: string): string {
  const shop = value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!SHOP_DOMAIN.test(shop)) {
    bad(`shop '${value}' is not a myshopify domain; use the store's permanent domain, e.g. acme.myshopify.com (not a custom domain)`);
  }
  return shop;
}

/** The origin of an Admin API base URL: https, or plain http on a loopback address (an emulator, the sandbox). */
export function checkAdminUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    bad(`--admin-url '${value}' is not a URL; use e.g. https://acme.myshopify.com`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    bad(`--admin-url '${value}' must use https (plain http is allowed only for loopback addresses)`);
  }
  return url.origin;
}

const ENTRY_KEYS = new Set(['shop', 'tokenEnv', 'tokenFile', 'clientIdEnv', 'clientSecretEnv', 'adminUrl']);

function optionalString(entry: ReadonlyMap<string, unknown>, key: string, where: string): string | undefined {
  const value = entry.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') bad(`${where}: "${key}" must be a non-empty string`);
  return value.trim();
}

/**
 * Parses a shops file: `{"shops": [{"shop": "alpha.myshopify.com", "tokenEnv": "ALPHA_TOKEN"}, ...]}`.
 * Each entry names its token by env var (tokenEnv) or file (tokenFile), or its app's client id and
 * secret by env var (clientIdEnv + clientSecretEnv); with none of these, the job-wide
 * SHOPIFY_CLIENT_ID / SHOPIFY_CLIENT_SECRET apply (one organisation app, many shops). `shop` and
 * `adminUrl` are returned raw: the run checks them with normaliseShop and checkAdminUrl, as it does --shop and --admin-url.
 */
export function parseShopsFile(path: string, text: string = readFileText(path)): ShopEntry[] {
  let doc: unknown;
  try {
    doc = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    bad(`--shops-file ${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${messageOf(err)}`);
  }
  const list = typeof doc === 'object' && doc !== null && 'shops' in doc ? doc.shops : undefined;
  if (!Array.isArray(list) || list.length === 0) bad(`--shops-file ${path} must hold {"shops": [{"shop": "acme.myshopify.com", "tokenEnv": "ACME_TOKEN"}, ...]} with at least one shop`);
  return list.map((raw: unknown, i) => {
    const where = `--shops-file ${path}, shops[${i}]`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad(`${where} must be an object with "shop" and one of tokenEnv, tokenFile or clientIdEnv + clientSecretEnv`);
    const entry = new Map(Object.entries(raw));
    const unknown = [...entry.keys()].filter((k) => !ENTRY_KEYS.has(k));
    if (unknown.length) bad(`${where}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; allowed: ${[...ENTRY_KEYS].join(', ')}`);
    const shop = optionalString(entry, 'shop', where) ?? bad(`${where}: "shop" is missing`);
    const tokenEnv = optionalString(entry, 'tokenEnv', where);
    const tokenFile = optionalString(entry, 'tokenFile', where);
    const clientIdEnv = optionalString(entry, 'clientIdEnv', where);
    const clientSecretEnv = optionalString(entry, 'clientSecretEnv', where);
    if ((clientIdEnv === undefined) !== (clientSecretEnv === undefined)) bad(`${where}: clientIdEnv and clientSecretEnv go together`);
    const sources = [tokenEnv, tokenFile, clientIdEnv].filter((s) => s !== undefined).length;
    if (sources > 1) bad(`${where}: give only one of tokenEnv, tokenFile or clientIdEnv + clientSecretEnv`);
    const auth: AuthSource = tokenEnv !== undefined ? { kind: 'token-env', name: tokenEnv }
      : tokenFile !== undefined ? { kind: 'token-file', path: tokenFile }
      : clientIdEnv !== undefined && clientSecretEnv !== undefined ? { kind: 'client-credentials-env', clientIdEnv, clientSecretEnv }
      : { kind: 'client-credentials-env', clientIdEnv: CREDENTIALS.clientId, clientSecretEnv: CREDENTIALS.clientSecret };
    return { shop, adminUrl: optionalString(entry, 'adminUrl', where), auth };
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why a file could not be read: its errno code (ENOENT, EACCES), else the error's message. */
function errnoOf(err: unknown): string {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : messageOf(err);
}

function readFileText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return bad(`cannot read --shops-file ${path}: ${errnoOf(err)}`);
  }
}

/** The credentials of one shop from the environment or a mounted secret file; 'unavailable' when absent. */
export function resolveAuth(shop: string, source: AuthSource, env: NodeJS.ProcessEnv): ShopAuth {
  try {
    return readAuth(shop, source, env);
  } catch (err) {
    return { kind: 'unavailable', message: messageOf(err) };
  }
}

function readAuth(shop: string, source: AuthSource, env: NodeJS.ProcessEnv): ShopAuth {
  switch (source.kind) {
    case 'token-env': {
      const token = env[source.name]?.trim();
      if (!token) bad(`no access token for ${shop}: env ${source.name} (its tokenEnv in the shops file) is not set`);
      return { kind: 'token', token };
    }
    case 'token-file': {
      let token: string;
      try {
        token = readFileSync(source.path, 'utf8').trim();
      } catch (err) {
        return bad(`no access token for ${shop}: cannot read its tokenFile ${source.path} (${errnoOf(err)})`);
      }
      if (!token) bad(`no access token for ${shop}: its tokenFile ${source.path} is empty`);
      return { kind: 'token', token };
    }
    case 'client-credentials-env': {
      const clientId = env[source.clientIdEnv]?.trim();
      const clientSecret = env[source.clientSecretEnv]?.trim();
      if (!clientId || !clientSecret) bad(`no credentials for ${shop}: set ${source.clientIdEnv} and ${source.clientSecretEnv}, or give the shop a tokenEnv or tokenFile in the shops file`);
      return { kind: 'client-credentials', clientId, clientSecret };
    }
  }
}

/** Sorted by domain so every task sees the same order whatever the file's order; task i takes positions ≡ i (mod count). */
export function shardShops<T extends { shop: string }>(shops: T[], shard: Shard): T[] {
  return [...shops].sort((a, b) => (a.shop < b.shop ? -1 : a.shop > b.shop ? 1 : 0)).filter((_, i) => i % shard.count === shard.index);
}

/**
 * The state location of one shop in a multi-shop job: `state.db` → `state-<shop>.db`, for files and
 * gs:// alike, so each shop has its own database and lock. Shops-file jobs always use per-shop names,
 * so a shop's state does not move when the file grows from one shop to two.
 */
export function perShopStatePath(state: string, shop: string): string {
  const slash = state.lastIndexOf('/');
  const dir = state.slice(0, slash + 1);
  const base = state.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? `${dir}${base.slice(0, dot)}-${shop}${base.slice(dot)}` : `${dir}${base}-${shop}`;
}
