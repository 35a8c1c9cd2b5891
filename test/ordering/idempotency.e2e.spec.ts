/**
 * Idempotency-Key on every command, after the IETF httpapi draft, over HTTP
 * against a real listening app: a key is scoped to the partner and the
 * route, remembers the request's fingerprint, returns the first result to
 * a repeat, refuses a different request under the same key, and is not
 * consumed by a refused command.
 */
import { randomUUID } from 'node:crypto';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { cartWithOneLine, line } from '../support/fixtures';

jest.setTimeout(60_000);

describe('Idempotency-Key', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  const withKey = (key: string) => ({ 'idempotency-key': key });

  it('returns the first result to a repeat of the same request, writing nothing more', async () => {
    const key = randomUUID();
    const first = await api.call('POST', '/v1/customers', { body: { name: 'Repeat Ltd' }, headers: withKey(key) });
    const before = await api.countEvents();
    const repeat = await api.call('POST', '/v1/customers', { body: { name: 'Repeat Ltd' }, headers: withKey(key) });
    expect(repeat.status).toBe(first.status);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(await api.countEvents()).toBe(before);
  });

  it('case 5: the same key with a different body answers 422 IDEMPOTENCY_KEY_MISMATCH and runs nothing', async () => {
    const { cartId, subscriptionId } = await cartWithOneLine(api);
    const key = randomUUID();
    expect(
      (await api.call('POST', `/v1/carts/${cartId}/items`, { body: line(subscriptionId), headers: withKey(key) }))
        .status,
    ).toBe(201);
    const before = await api.countEvents();
    const different = await api.call('POST', `/v1/carts/${cartId}/items`, {
      body: { ...line(subscriptionId), quantity: 7 },
      headers: withKey(key),
    });
    expect({ status: different.status, code: different.body.code, error: different.body.error }).toEqual({
      status: 422,
      code: 'IDEMPOTENCY_KEY_MISMATCH',
      error: 'Unprocessable Entity',
    });
    expect(await api.countEvents()).toBe(before);
  });

  it('case 5: a refused purchase consumes no key and writes no event; the same key then buys once the cart is fixed', async () => {
    const customer = (await api.call('POST', '/v1/customers', { body: { name: 'Empty Cart Co' } })).body.customerId;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customer}/subscriptions`, { body: { subscriptionId, name: 'Main' } });
    const cartId = (await api.call('POST', `/v1/customers/${customer}/carts`)).body.cartId;
    const key = randomUUID();
    const before = await api.countEvents();
    const refused = await api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: withKey(key) });
    expect(refused.status).toBe(422);
    expect(await api.countEvents()).toBe(before);

    await api.call('POST', `/v1/carts/${cartId}/items`, { body: line(subscriptionId) });
    const bought = await api.call('POST', `/v1/carts/${cartId}/purchase`, { headers: withKey(key) });
    expect(bought.status).toBe(201);
    expect(bought.body.orderNumber).toMatch(/^RO-/);
  });

  it('scopes a key to the partner and the route', async () => {
    const key = randomUUID();
    const contoso = await api.call('POST', '/v1/customers', { body: { name: 'Scoped A' }, headers: withKey(key) });
    const fabrikam = await api.call('POST', '/v1/customers', {
      body: { name: 'Scoped A' },
      headers: withKey(key),
      key: FABRIKAM_KEY,
    });
    expect([contoso.status, fabrikam.status]).toEqual([201, 201]);
    expect(fabrikam.body.customerId).not.toBe(contoso.body.customerId);
    const cart = await api.call('POST', `/v1/customers/${contoso.body.customerId}/carts`, { headers: withKey(key) });
    expect(cart.status).toBe(201);
  });

  it('race: the same key sent twice at once runs once; the other answer is the first result or 409 IDEMPOTENCY_KEY_IN_USE', async () => {
    const key = randomUUID();
    const before = await api.countEvents();
    const answers = await Promise.all(
      [1, 2].map(() => api.call('POST', '/v1/customers', { body: { name: 'Twice At Once' }, headers: withKey(key) })),
    );
    const created = answers.filter((answer) => answer.status === 201);
    const inUse = answers.filter((answer) => answer.status === 409 && answer.body.code === 'IDEMPOTENCY_KEY_IN_USE');
    expect(created.length + inUse.length).toBe(2);
    expect(new Set(created.map((answer) => answer.body.customerId)).size).toBe(1);
    expect(await api.countEvents()).toBe(before + 1);
  });

  it('refuses a malformed key with 400', async () => {
    const answer = await api.call('POST', '/v1/customers', {
      body: { name: 'Bad Key' },
      headers: withKey('x'.repeat(201)),
    });
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 400, code: 'INVALID_IDEMPOTENCY_KEY' });
  });
});
