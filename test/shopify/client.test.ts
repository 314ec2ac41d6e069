import tls from 'node:tls';
import { expect } from 'chai';
import { EtlError, ErrorCodes } from '../../src/errors/index.ts';
import type { ErrorCode } from '../../src/errors/index.ts';
import { staticToken } from '../../src/shopify/auth.ts';
import { ShopifyClient } from '../../src/shopify/client.ts';
import type { ShopifyClientOptions } from '../../src/shopify/client.ts';
import { costExtension, errorText, failure, fakeClock, hangUp, LOCALHOST_TLS, ok, reply, scripted, startServer, status } from './harness.ts';
import type { FakeClock, Handler, TestServer } from './harness.ts';

const TOKEN = 'shpat_0123456789abcdef_SECRET';
const SHOP = 'acme.myshopify.com';
const QUERY = 'query Shop { shop { id name } }';
const MUTATION = 'mutation Run($q: String!) { bulkOperationRunQuery(query: $q) { userErrors { message } } }';

describe('ShopifyClient', () => {
  let server: TestServer;
  let clock: FakeClock;

  afterEach(async () => {
    await server?.close();
  });

  async function clientFor(steps: Handler[], options: Partial<ShopifyClientOptions> = {}): Promise<ShopifyClient> {
    server = await startServer(scripted(steps));
    clock = fakeClock();
    return new ShopifyClient({
      adminUrl: server.url,
      shop: SHOP,
      apiVersion: '2026-10',
      token: staticToken(TOKEN),
      sleep: clock.sleep,
      now: clock.now,
      ...options,
    });
  }

  it('POSTs the document to the versioned endpoint with the token header and returns data', async () => {
    const client = await clientFor([ok({ shop: { id: 'gid://shopify/Shop/1', name: 'Acme' } })]);
    const data = await client.request<{ shop: { name: string } }>(QUERY, { a: 1 });
    expect(data.shop.name).to.equal('Acme');
    const [req] = server.requests;
    expect(req?.method).to.equal('POST');
    expect(req?.url).to.equal('/admin/api/2026-10/graphql.json');
    expect(req?.headers['x-shopify-access-token']).to.equal(TOKEN);
    expect(req?.json?.query).to.equal(QUERY);
    expect(req?.json?.variables).to.deep.equal({ a: 1 });
    expect(client.stats).to.deep.equal({ requests: 1, retries: 0, throttledMs: 0 });
  });

  describe('HTTP statuses that end the shop', () => {
    const cases: Array<[number, ErrorCode, RegExp]> = [
      [401, ErrorCodes.AUTH_INVALID, /SHOPIFY_ACCESS_TOKEN/],
      [402, ErrorCodes.SHOP_FROZEN, /frozen/],
      [403, ErrorCodes.SHOP_FORBIDDEN, /scope/],
      [404, ErrorCodes.SHOP_NOT_FOUND, /--api-version/],
      [423, ErrorCodes.SHOP_LOCKED, /locked/],
    ];
    for (const [code, expected, says] of cases) {
      it(`${code} → ${expected}, not retried`, async () => {
        const client = await clientFor([reply({ errors: 'nope' }, code)]);
        const err = await failure(client.request(QUERY));
        expect(err.code).to.equal(expected);
        expect(err.action).to.equal('fail');
        expect(err.message).to.match(says);
        expect(err.details.status).to.equal(code);
        expect(server.requests).to.have.length(1);
      });
    }
  });

  it('a redirect (renamed shop) → SHOP_NOT_FOUND naming the new host, not followed', async () => {
    const moved = status(301, 'text/html', '', { location: 'https://acme-new.myshopify.com/admin/api/2026-10/graphql.json' });
    const client = await clientFor([moved]);
    const err = await failure(client.request(QUERY));
    expect(err.code).to.equal(ErrorCodes.SHOP_NOT_FOUND);
    expect(err.message).to.include('acme-new.myshopify.com');
    expect(server.requests).to.have.length(1);
  });

  describe('transient HTTP statuses are retried', () => {
    for (const code of [429, 500, 502, 503, 504]) {
      it(`${code} then success`, async () => {
        const client = await clientFor([reply({ errors: 'busy' }, code), ok({ shop: { id: '1' } })]);
        const data = await client.request<{ shop: { id: string } }>(QUERY);
        expect(data.shop.id).to.equal('1');
        expect(server.requests).to.have.length(2);
        expect(client.stats.retries).to.equal(1);
        expect(clock.sleeps).to.have.length(1);
      });
    }

    it('honours Retry-After over backoff', async () => {
      const client = await clientFor([reply({ errors: 'Exceeded 2 calls per second' }, 429, { 'retry-after': '7' }), ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      expect(clock.sleeps).to.deep.equal([7000]);
    });

    it('retries a 503 maintenance page, and names it when the budget runs out', async () => {
      const page = status(503, 'text/html; charset=utf-8', '<html><body>Shopify is down for maintenance</body></html>', { 'retry-after': '10' });
      // The page asks for 10 s each time: the third wait would end past a 25 s budget.
      const client = await clientFor([page, page, page], { retry: { budgetMs: 25_000 } });
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.HTTP_TRANSIENT);
      expect(err.action).to.equal('resend');
      expect(err.message).to.match(/maintenance/);
      expect(err.message).to.match(/gave up after 3 attempts in 20s/);
      expect(err.details.attempts).to.equal(3);
      expect(server.requests).to.have.length(3);
    });

    it('a streak of 503s is retried for minutes, with waits growing to the cap, not for a few attempts', async () => {
      const client = await clientFor([...Array.from({ length: 12 }, () => reply({}, 503)), ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      expect(server.requests).to.have.length(13);
      // Full jitter under a ceiling that doubles from 1 s up to the 60 s cap.
      clock.sleeps.forEach((ms, n) => expect(ms).to.be.within(0, Math.min(60_000, 1000 * 2 ** n)));
    });

    it('gives up once the streak has used its time budget, saying how long it tried', async () => {
      const always503: Handler = (_req, res) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{}');
      };
      server = await startServer(always503);
      clock = fakeClock();
      const client = new ShopifyClient({ adminUrl: server.url, shop: SHOP, apiVersion: '2026-10', token: staticToken(TOKEN), sleep: clock.sleep, now: clock.now, retry: { budgetMs: 10 * 60_000 } });
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.HTTP_TRANSIENT);
      // The last wait is cut to what the budget has left, so the whole budget is used and no more.
      expect(clock.sleeps.reduce((a, b) => a + b, 0)).to.equal(10 * 60_000);
      expect(err.message).to.match(/gave up after \d+ attempts in 10m0s/);
      expect(server.requests.length).to.be.greaterThan(10);
    });

    it('gives up when the next wait would overrun the time budget', async () => {
      const client = await clientFor([reply({}, 503, { 'retry-after': '120' })], { retry: { budgetMs: 60_000 } });
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.HTTP_TRANSIENT);
      expect(err.retryAfterSeconds).to.equal(120);
      expect(server.requests).to.have.length(1);
      expect(clock.sleeps).to.deep.equal([]);
    });

    it('does not retry a 400', async () => {
      const client = await clientFor([reply({ errors: 'Bad Request' }, 400)]);
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.GRAPHQL_ERROR);
      expect(err.message).to.match(/Bad Request/);
      expect(server.requests).to.have.length(1);
    });

    it('retries a 200 whose body is not a GraphQL result', async () => {
      const client = await clientFor([status(200, 'text/plain', 'upstream hiccup'), ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      expect(server.requests).to.have.length(2);
    });
  });

  describe('network failures', () => {
    it('retries a connection reset', async () => {
      const client = await clientFor([hangUp(), ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      expect(client.stats.retries).to.equal(1);
    });

    it('retries a socket timeout', async () => {
      const silent: Handler = () => undefined;
      const client = await clientFor([silent, ok({ shop: { id: '1' } })], { timeoutMs: 50 });
      await client.request(QUERY);
      expect(server.requests).to.have.length(2);
    });

    it('surfaces ECONNREFUSED as NETWORK once the budget is spent', async () => {
      server = await startServer(scripted([]));
      const url = server.url;
      await server.close();
      clock = fakeClock();
      const client = new ShopifyClient({ adminUrl: url, shop: SHOP, apiVersion: '2026-10', token: staticToken(TOKEN), sleep: clock.sleep, now: clock.now, retry: { budgetMs: 5_000 } });
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.NETWORK);
      expect(err.details.errno).to.equal('ECONNREFUSED');
      expect(err.details.attempts).to.be.at.least(2);
      expect(clock.sleeps.reduce((a, b) => a + b, 0)).to.equal(5_000);
    });
  });

  describe('TLS certificates that do not verify end the shop at once', () => {
    async function secureClient(host: string): Promise<ShopifyClient> {
      server = await startServer(scripted([ok({ shop: { id: '1' } })]), { tls: LOCALHOST_TLS, host });
      clock = fakeClock();
      return new ShopifyClient({ adminUrl: server.url, shop: SHOP, apiVersion: '2026-10', token: staticToken(TOKEN), sleep: clock.sleep, now: clock.now });
    }

    it('a self-signed certificate → TLS_CERT_INVALID naming the host and NODE_EXTRA_CA_CERTS, not retried', async () => {
      const client = await secureClient('localhost');
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.TLS_CERT_INVALID);
      expect(err.action).to.equal('fail');
      expect(clock.sleeps).to.deep.equal([]);
      expect(client.stats.retries).to.equal(0);
      expect(err.message).to.include(new URL(server.url).host);
      expect(err.message).to.match(/self-signed/);
      expect(err.message).to.include('NODE_EXTRA_CA_CERTS');
      expect(err.message).not.to.include(TOKEN);
      expect(err.details).to.include({ certificateError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    });

    it('a certificate for another host name → TLS_CERT_INVALID pointing at --admin-url, not retried', async () => {
      // Trusted, but issued for localhost and 127.0.0.1, not the 127.0.0.2 it is reached at.
      const trusted = tls.getCACertificates('default');
      tls.setDefaultCACertificates([...trusted, LOCALHOST_TLS.cert]);
      try {
        const client = await secureClient('127.0.0.2');
        const err = await failure(client.request(QUERY));
        expect(err.code).to.equal(ErrorCodes.TLS_CERT_INVALID);
        expect(clock.sleeps).to.deep.equal([]);
        expect(err.message).to.include('127.0.0.2');
        expect(err.message).to.include('--admin-url');
        expect(err.details).to.include({ certificateError: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      } finally {
        tls.setDefaultCACertificates(trusted);
      }
    });
  });

  describe('GraphQL error codes', () => {
    it('THROTTLED waits for the bucket to hold the requested cost, then succeeds', async () => {
      const throttled = reply({
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://shopify.dev/api/usage/rate-limits' } }],
        extensions: costExtension({ requested: 752, actual: null, available: 100, restoreRate: 100 }),
      });
      const client = await clientFor([throttled, ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      // (752 - 100) points at 100 per second
      expect(clock.sleeps).to.deep.equal([6520]);
      expect(client.stats.throttledMs).to.be.at.least(6520);
    });

    it('THROTTLED answers wait for the bucket and do not use up the budget of a 5xx streak', async () => {
      const throttled = reply({
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
        extensions: costExtension({ requested: 752, actual: null, available: 100, restoreRate: 50 }),
      });
      // A 60 s budget; four 13 s bucket waits after the first 503, then a 503 asking for 30 s: that
      // wait fits only because the bucket waits are not counted as the 503 streak's time.
      const steps = [reply({}, 503), ...Array.from({ length: 4 }, () => throttled), reply({}, 503, { 'retry-after': '30' }), ok({ shop: { id: '1' } })];
      const client = await clientFor(steps, { retry: { budgetMs: 60_000 } });
      await client.request(QUERY);
      expect(server.requests).to.have.length(7);
      expect(clock.sleeps.slice(1)).to.deep.equal([13_040, 13_040, 13_040, 13_040, 30_000]);
    });

    it('ACCESS_DENIED names the missing scope and is not retried', async () => {
      const client = await clientFor([
        reply({
          errors: [
            {
              message: 'Access denied for orders field. Required access: `read_orders` access scope.',
              extensions: { code: 'ACCESS_DENIED', requiredAccess: '`read_orders` access scope.' },
            },
          ],
          data: null,
        }),
      ]);
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.ACCESS_DENIED);
      expect(err.action).to.equal('fail');
      expect(err.details.scopes).to.deep.equal(['read_orders']);
      expect(err.message).to.match(/grant the read_orders scope/);
      expect(server.requests).to.have.length(1);
    });

    it('INTERNAL_SERVER_ERROR is retried', async () => {
      const internal = reply({ errors: [{ message: 'Internal error. Looks like something went wrong on our end.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      const client = await clientFor([internal, ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      expect(server.requests).to.have.length(2);
    });

    it('SHOP_INACTIVE → SHOP_FROZEN', async () => {
      const client = await clientFor([reply({ errors: [{ message: 'Shop is inactive', extensions: { code: 'SHOP_INACTIVE' } }] })]);
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.SHOP_FROZEN);
    });

    it('any other code → GRAPHQL_ERROR with the messages', async () => {
      const client = await clientFor([
        reply({
          errors: [
            { message: "Field 'nope' doesn't exist on type 'Shop'", extensions: { code: 'undefinedField' } },
            { message: 'Query cost is 1200, which exceeds the single query max cost limit (1000).', extensions: { code: 'MAX_COST_EXCEEDED' } },
          ],
        }),
      ]);
      const err = await failure(client.request(QUERY));
      expect(err.code).to.equal(ErrorCodes.GRAPHQL_ERROR);
      expect(err.action).to.equal('fail');
      expect(err.message).to.include("Field 'nope' doesn't exist").and.include('exceeds the single query max cost');
      expect(err.details.graphqlCodes).to.deep.equal(['undefinedField', 'MAX_COST_EXCEEDED']);
    });
  });

  it('a 401 names the fix and never carries the token, even when the server echoes it', async () => {
    const client = await clientFor([reply({ errors: `[API] Invalid API key or access token (unrecognized login or wrong password) ${TOKEN}` }, 401)]);
    const err = await failure(client.request(QUERY, { secret: 'x' }));
    expect(err.code).to.equal(ErrorCodes.AUTH_INVALID);
    expect(err.message).to.match(/SHOPIFY_ACCESS_TOKEN/).and.match(/installed on acme\.myshopify\.com/).and.match(/--shop/);
    expect(errorText(err)).not.to.include(TOKEN);
  });

  it('no error of any kind carries the token', async () => {
    const steps = [reply({ errors: TOKEN }, 500), hangUp(), reply({ errors: [{ message: TOKEN, extensions: { code: 'X' } }] })];
    const client = await clientFor(steps);
    const err = await failure(client.request(QUERY));
    expect(errorText(err)).not.to.include(TOKEN);
  });

  describe('pacing by the cost bucket', () => {
    it('waits before a mutation until the bucket holds 10 points', async () => {
      const client = await clientFor([ok({ shop: { id: '1' } }, { available: 0, restoreRate: 100 }), ok({ bulkOperationRunQuery: { userErrors: [] } })]);
      await client.request(QUERY);
      await client.request(MUTATION, { q: '{ products { edges { node { id } } } }' });
      expect(clock.sleeps).to.deep.equal([100]);
      expect(client.stats.throttledMs).to.equal(100);
    });

    it("plans on a document's last actual cost", async () => {
      const client = await clientFor([ok({ shop: { id: '1' } }, { requested: 60, actual: 50, available: 1000 }), ok({ shop: { id: '1' } }, { available: 20 }), ok({ shop: { id: '1' } })]);
      await client.request(QUERY);
      await client.request('query Other { shop { id } }');
      // 20 points left, 50 expected: 30 points at 100 per second
      await client.request(QUERY);
      expect(clock.sleeps).to.deep.equal([300]);
    });
  });

  describe('requests that must not take effect twice', () => {
    it('does not resend after an answer that may have been lost', async () => {
      const client = await clientFor([reply({}, 502)]);
      const err = await failure(client.request(MUTATION, { q: 'x' }, { idempotent: false }));
      expect(err.code).to.equal(ErrorCodes.HTTP_TRANSIENT);
      expect(err.details.ambiguous).to.equal(true);
      expect(server.requests).to.have.length(1);
    });

    it('resends after a 429, which Shopify never executed', async () => {
      const client = await clientFor([reply({}, 429), ok({ bulkOperationRunQuery: { userErrors: [] } })]);
      await client.request(MUTATION, { q: 'x' }, { idempotent: false });
      expect(server.requests).to.have.length(2);
    });
  });

  it('warns once when Shopify answers with another API version', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: string) => void warnings.push(message) };
    const answer: Handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-shopify-api-version': '2025-10' });
      res.end(JSON.stringify({ data: { shop: { id: '1' } } }));
    };
    const client = await clientFor([answer, answer], { logger, apiVersion: '2025-01' });
    await client.request(QUERY);
    await client.request(QUERY);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/different API version/);
  });

  it('an aborted signal ends waits with INTERRUPTED', async () => {
    const controller = new AbortController();
    const sleepForever = (): Promise<void> => new Promise(() => undefined);
    const client = await clientFor([reply({}, 503)], { signal: controller.signal, sleep: sleepForever });
    const pending = failure(client.request(QUERY));
    setImmediate(() => controller.abort());
    const err = await pending;
    expect(err.code).to.equal(ErrorCodes.INTERRUPTED);
  });

  it('rejects an API version that is not one', async () => {
    expect(() => new ShopifyClient({ adminUrl: 'http://127.0.0.1:1', shop: SHOP, apiVersion: '2026-02', token: staticToken(TOKEN) }))
      .to.throw(EtlError)
      .with.property('code', ErrorCodes.CONFIG_INVALID);
  });
});
