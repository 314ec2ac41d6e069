import { expect } from 'chai';
import { ErrorCodes } from '../../src/errors/index.ts';
import { clientCredentialsToken, staticToken } from '../../src/shopify/auth.ts';
import { ShopifyClient } from '../../src/shopify/client.ts';
import { errorText, failure, fakeClock, LOCALHOST_TLS, ok, reply, sendJson, startServer } from './harness.ts';
import type { Handler, Recorded, TestServer } from './harness.ts';

const CLIENT_SECRET = 'shpss_client_secret_0123456789';

describe('token providers', () => {
  let server: TestServer;

  afterEach(async () => {
    await server?.close();
  });

  it('staticToken returns its token', async () => {
    expect(await staticToken('shpat_abc')()).to.equal('shpat_abc');
  });

  /** A shop whose token endpoint hands out shpat_1, shpat_2, ... and whose API runs `api`. */
  async function shop(api: Handler, expiresIn = 86_399): Promise<{ tokenCalls: () => Recorded[]; apiCalls: () => Recorded[] }> {
    let issued = 0;
    server = await startServer((req, res) => {
      if (req.url === '/admin/oauth/access_token') {
        issued += 1;
        sendJson(res, 200, { access_token: `shpat_${issued}`, scope: 'read_orders,read_products', expires_in: expiresIn });
        return;
      }
      return api(req, res);
    });
    return {
      tokenCalls: () => server.requests.filter((r) => r.url === '/admin/oauth/access_token'),
      apiCalls: () => server.requests.filter((r) => r.url !== '/admin/oauth/access_token'),
    };
  }

  it('exchanges client credentials with a JSON body, caches the token and renews it 5 minutes before expiry', async () => {
    const { tokenCalls } = await shop(ok({}));
    const clock = fakeClock();
    const provider = clientCredentialsToken({ adminUrl: server.url, clientId: 'client-id', clientSecret: CLIENT_SECRET, now: clock.now });
    expect(await provider()).to.equal('shpat_1');
    const [exchange] = tokenCalls();
    expect(exchange?.method).to.equal('POST');
    expect(exchange?.headers['content-type']).to.match(/application\/json/);
    expect(exchange?.json).to.deep.equal({ client_id: 'client-id', client_secret: CLIENT_SECRET, grant_type: 'client_credentials' });

    clock.advance(86_399_000 - 5 * 60_000 - 1);
    expect(await provider()).to.equal('shpat_1');
    expect(tokenCalls()).to.have.length(1);
    clock.advance(1);
    expect(await provider()).to.equal('shpat_2');
    expect(tokenCalls()).to.have.length(2);
  });

  it('renews a short-lived token at 10% of its lifetime before expiry', async () => {
    const { tokenCalls } = await shop(ok({}), 600);
    const clock = fakeClock();
    const provider = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET, now: clock.now });
    await provider();
    clock.advance(539_999);
    await provider();
    expect(tokenCalls()).to.have.length(1);
    clock.advance(1);
    expect(await provider()).to.equal('shpat_2');
  });

  it('concurrent callers share one exchange', async () => {
    const { tokenCalls } = await shop(ok({}));
    const provider = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET });
    const tokens = await Promise.all([provider(), provider(), provider()]);
    expect(tokens).to.deep.equal(['shpat_1', 'shpat_1', 'shpat_1']);
    expect(tokenCalls()).to.have.length(1);
  });

  it('a 401 from the API makes the client fetch a fresh token once', async () => {
    const { tokenCalls, apiCalls } = await shop((req, res) => {
      if (req.headers['x-shopify-access-token'] === 'shpat_1') return sendJson(res, 401, { errors: '[API] Invalid API key or access token' });
      return sendJson(res, 200, { data: { shop: { id: '1' } } });
    });
    const clock = fakeClock();
    const token = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET, now: clock.now });
    const client = new ShopifyClient({ adminUrl: server.url, shop: 'acme.myshopify.com', apiVersion: '2026-10', token, sleep: clock.sleep, now: clock.now });
    const data = await client.request<{ shop: { id: string } }>('{ shop { id } }');
    expect(data.shop.id).to.equal('1');
    expect(tokenCalls()).to.have.length(2);
    expect(apiCalls().map((r) => r.headers['x-shopify-access-token'])).to.deep.equal(['shpat_1', 'shpat_2']);
    expect(clock.sleeps).to.deep.equal([]);
  });

  it('a second 401 after renewal is AUTH_INVALID', async () => {
    const { tokenCalls, apiCalls } = await shop(reply({ errors: '[API] Invalid API key or access token' }, 401));
    const token = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET });
    const client = new ShopifyClient({ adminUrl: server.url, shop: 'acme.myshopify.com', apiVersion: '2026-10', token });
    const err = await failure(client.request('{ shop { id } }'));
    expect(err.code).to.equal(ErrorCodes.AUTH_INVALID);
    expect(tokenCalls()).to.have.length(2);
    expect(apiCalls()).to.have.length(2);
    expect(errorText(err)).not.to.include('shpat_2');
  });

  it('a refused exchange is AUTH_INVALID and never shows the client secret', async () => {
    server = await startServer(reply({ error: 'invalid_client', error_description: `Client authentication failed ${CLIENT_SECRET}` }, 401));
    const provider = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET });
    const err = await failure(provider());
    expect(err.code).to.equal(ErrorCodes.AUTH_INVALID);
    expect(err.message).to.match(/client ID and client secret/);
    expect(errorText(err)).not.to.include(CLIENT_SECRET);
  });

  it('a token endpoint whose TLS certificate does not verify is TLS_CERT_INVALID, not resent, and never shows the client secret', async () => {
    server = await startServer(reply({}), { tls: LOCALHOST_TLS, host: 'localhost' });
    const provider = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET });
    const err = await failure(provider());
    expect(err.code).to.equal(ErrorCodes.TLS_CERT_INVALID);
    expect(err.action).to.equal('fail');
    expect(err.message).to.include(`token exchange with ${new URL(server.url).host}: the TLS certificate of ${new URL(server.url).host} is self-signed`);
    expect(errorText(err)).not.to.include(CLIENT_SECRET);
    expect(server.requests).to.have.length(0);
  });

  it('a 503 from the token endpoint is resent', async () => {
    server = await startServer(reply({}, 503));
    const provider = clientCredentialsToken({ adminUrl: server.url, clientId: 'id', clientSecret: CLIENT_SECRET });
    const err = await failure(provider());
    expect(err.code).to.equal(ErrorCodes.HTTP_TRANSIENT);
    expect(err.action).to.equal('resend');
  });
});
