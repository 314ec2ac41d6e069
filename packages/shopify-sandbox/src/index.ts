// startSandbox: a simulated Shopify shop on a local port, speaking the Admin GraphQL bulk API over
// HTTP (see server.ts for the routes). The ETL points --admin-url at `url` and uses `token`.
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessTokens, appInstallation, randomAdminToken, SANDBOX_SCOPES, type ClientCredentials } from './auth.ts';
import { CostBucket, PLUS_RATE_LIMIT, STANDARD_RATE_LIMIT } from './cost.ts';
import { FaultController, type Faults } from './faults.ts';
import { answerGraphQL } from './graphql.ts';
import { Operations, type BulkOperationRecord } from './operations.ts';
import { bulkRootValue } from './resolvers.ts';
import { ResultFiles } from './results.ts';
import { sandboxSchema } from './schema/index.ts';
import { createSandboxServer, type RequestLogEntry } from './server.ts';
import { Store, type Ordering, type ShopFeatures, type StoreSize } from './store/index.ts';

export type { BulkOperationRecord } from './operations.ts';
export type { Faults, FaultController } from './faults.ts';
export { parseFaultSpec } from './faults.ts';
export type { RequestLogEntry } from './server.ts';
export { STORE_ROOTS } from './store/generators.ts';
export { Store, type ShopFeatures, type BulkFileResult, type Change, type ChangeSet, type Ordering, type StoreSize } from './store/index.ts';
export { bulkQueryErrors } from './bulk-rules.ts';
export { MAX_QUERY_COST, requestedCost } from './cost.ts';
export { sandboxSchema } from './schema/index.ts';

export interface SandboxOptions {
  seed?: number;
  size?: Partial<StoreSize>;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default: a random shpat_… token. */
  token?: string;
  /** Default sandbox.myshopify.com. */
  shopDomain?: string;
  /** Total CREATED + RUNNING time of an operation; default 300 ms. */
  operationDelayMs?: number;
  /** JSONL order when groupObjects is false; default interleaved. */
  ordering?: Ordering;
  /** Lifetime of result URLs; default 7 days. */
  urlTtlMs?: number;
  faults?: Partial<Faults>;
  clientCredentials?: ClientCredentials;
  /**
   * The access scopes the app was granted (currentAppInstallation, the client credentials grant); default every scope the store's data needs.
   * Without read_all_orders the orders root serves only the orders created in the last 60 days (bulk, connections and counts).
   */
  scopes?: readonly string[];
  /** Where result files go; default a fresh temp dir removed on close. */
  dataDir?: string;
  /** The sandbox's clock (URL expiry, token expiry, timestamps, the cost bucket); default Date.now. */
  now?: () => Date;
  /** The instant the store's seeded data ends at; default the clock's now. Fixed, the data is the same every day. */
  dataUntil?: Date;
  /** What the shop has: Shopify Plus (gift cards) and a Shopify Payments account (disputes); default both. */
  features?: Partial<ShopFeatures>;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT — the ETL's --admin-url. */
  url: string;
  token: string;
  shopDomain: string;
  store: Store;
  faults: FaultController;
  operations(): ReadonlyArray<BulkOperationRecord>;
  /** Every request so far, for tests. */
  requests(): ReadonlyArray<RequestLogEntry>;
  close(): Promise<void>;
}

export const DEFAULT_OPERATION_DELAY_MS = 300;
export const DEFAULT_URL_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.now ?? (() => new Date());
  const now = (): number => clock().getTime();
  const host = options.host ?? '127.0.0.1';
  const shopDomain = options.shopDomain ?? 'sandbox.myshopify.com';
  const token = options.token ?? randomAdminToken();
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'shopify-sandbox-')));
  if (!ownsDataDir) await mkdir(dataDir, { recursive: true });

  const scopes = options.scopes ?? SANDBOX_SCOPES;
  const store = new Store({ seed: options.seed ?? 1, shopDomain, now: clock, allOrders: scopes.includes('read_all_orders'), ...(options.size ? { size: options.size } : {}), ...(options.dataUntil ? { dataUntil: options.dataUntil } : {}), ...(options.features ? { features: options.features } : {}) });
  let baseUrl = '';
  const files = new ResultFiles({ dir: dataDir, baseUrl: () => baseUrl, now });
  let operations: Operations | undefined;
  const faults = new FaultController((count) => operations?.setForeign(count));
  operations = new Operations({
    store,
    files,
    faults,
    now,
    delayMs: options.operationDelayMs ?? DEFAULT_OPERATION_DELAY_MS,
    ordering: options.ordering ?? 'interleaved',
    urlTtlMs: options.urlTtlMs ?? DEFAULT_URL_TTL_MS,
  });
  const running = operations;
  const tokens = new AccessTokens(token, now, options.clientCredentials, scopes);
  const bucket = new CostBucket(now, store.features.shopifyPlus ? PLUS_RATE_LIMIT : STANDARD_RATE_LIMIT);
  const storeRoot = store.rootValue();
  const entityNode = typeof storeRoot.node === 'function' ? (storeRoot.node as (args: { id: string }) => unknown) : undefined;
  const installation = appInstallation(`gid://shopify/AppInstallation/${options.seed ?? 1}`, scopes);
  const rootValue = { ...storeRoot, ...bulkRootValue(entityNode ? (id) => entityNode({ id }) : undefined), currentAppInstallation: installation };
  const log: RequestLogEntry[] = [];

  const server = createSandboxServer({
    tokens,
    faults,
    files,
    log,
    graphql: (apiVersion, body) => answerGraphQL(body, { schema: sandboxSchema(apiVersion), apiVersion, rootValue, bucket, faults, operations: running }),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (options.faults) faults.set(options.faults);

  return {
    url: baseUrl,
    token,
    shopDomain,
    store,
    faults,
    operations: () => running.list(),
    requests: () => log.map((entry) => ({ ...entry })),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await running.close();
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
