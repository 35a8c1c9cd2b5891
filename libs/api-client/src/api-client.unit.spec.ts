import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { createApiClient } from './api-client';

/**
 * The client's retries against a real HTTP server that answers as the API
 * does when it is overloaded (429) or a dependency is down (503), or drops
 * the connection: the same request, with the same Idempotency-Key, after
 * Retry-After.
 */
describe('createApiClient retries', () => {
  let server: Server;
  let baseUrl: string;
  let answers: Array<(request: IncomingMessage, response: ServerResponse) => void>;
  const seen: Array<{ at: number; method: string; key?: string; apiKey?: string; minPosition?: string; body: string }> =
    [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const header = (name: string) => request.headers[name] as string | undefined;
        seen.push({
          at: Date.now(),
          method: request.method!,
          key: header('idempotency-key'),
          apiKey: header('x-api-key'),
          minPosition: header('x-min-position'),
          body,
        });
        (answers.shift() ?? ok)(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    seen.length = 0;
  });

  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}) =>
    (_: IncomingMessage, response: ServerResponse) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
  const ok = json(
    201,
    { customerId: 'c1', partnerId: 'p', name: 'A', subscriptions: [], revision: '0' },
    { 'x-position': '42' },
  );
  const unavailable = json(
    503,
    { statusCode: 503, error: 'Service Unavailable', code: 'DEPENDENCY_UNAVAILABLE', message: 'down' },
    { 'retry-after': '1' },
  );
  const limited = json(
    429,
    { statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED', message: 'slow down' },
    { 'retry-after': '0' },
  );
  const hangUp = (request: IncomingMessage) => request.socket.destroy();

  it('sends a command again after 503 and 429, with the same Idempotency-Key and body, waiting Retry-After', async () => {
    answers = [unavailable, limited, ok];
    const retries: Array<number | undefined> = [];
    const client = createApiClient({
      baseUrl,
      apiKey: 'demo-key-contoso',
      onRetry: ({ status }) => retries.push(status),
    });
    const { data, response } = await client.POST('/v1/customers', { body: { name: 'Contoso' } });
    expect(response.status).toBe(201);
    expect(data?.customerId).toBe('c1');
    expect(retries).toEqual([503, 429]);
    expect(seen.map(({ method, apiKey, body }) => ({ method, apiKey, body }))).toEqual(
      Array.from({ length: 3 }, () => ({ method: 'POST', apiKey: 'demo-key-contoso', body: '{"name":"Contoso"}' })),
    );
    expect(new Set(seen.map(({ key }) => key)).size).toBe(1);
    expect(seen[0].key).toMatch(/^[\x21-\x7e]{1,200}$/);
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(950);
  });

  it('keeps the caller’s own Idempotency-Key, and a new command gets a new one', async () => {
    answers = [ok, ok];
    const client = createApiClient({ baseUrl, apiKey: 'k' });
    await client.POST('/v1/customers', { body: { name: 'A' } });
    await client.POST('/v1/carts/{cartId}/purchase', {
      params: { path: { cartId: 'x' }, header: { 'Idempotency-Key': 'buy-x' } },
    });
    expect(seen[1].key).toBe('buy-x');
    expect(seen[0].key).not.toBe('buy-x');
  });

  it('sends again a request that got no answer, and gives up after its retries', async () => {
    answers = [hangUp, ok];
    const client = createApiClient({ baseUrl, apiKey: 'k' });
    expect((await client.POST('/v1/customers', { body: { name: 'A' } })).response.status).toBe(201);
    expect(seen).toHaveLength(2);
    expect(seen[1].key).toBe(seen[0].key);

    answers = [unavailable, unavailable];
    const impatient = createApiClient({ baseUrl, apiKey: 'k', retries: 1, maxRetryDelayMs: 10 });
    const { error, response } = await impatient.GET('/v1/catalog');
    expect(response.status).toBe(503);
    expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
  });

  it('answers at once a 429 whose Retry-After is past its longest wait: a partner budget frees in hours, retries would only wait', async () => {
    answers = [
      json(
        429,
        { statusCode: 429, error: 'Too Many Requests', code: 'USAGE_BUDGET_EXCEEDED', message: 'full' },
        { 'retry-after': '86400' },
      ),
    ];
    const client = createApiClient({ baseUrl, apiKey: 'k' });
    const { error, response } = await client.POST('/v1/usage', { body: { records: [] } });
    expect({ status: response.status, code: error?.code, tries: seen.length }).toEqual({
      status: 429,
      code: 'USAGE_BUDGET_EXCEEDED',
      tries: 1,
    });
  });

  it('reads its own writes: the last X-Position goes back as X-Min-Position on reads', async () => {
    answers = [ok, json(200, { items: [], total: 0, offset: 0, limit: 50 })];
    const client = createApiClient({ baseUrl, apiKey: 'k' });
    await client.POST('/v1/customers', { body: { name: 'A' } });
    await client.GET('/v1/catalog');
    expect(client.position).toBe(42n);
    expect(seen[1].minPosition).toBe('42');
  });
});
