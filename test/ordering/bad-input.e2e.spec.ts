/**
 * Refused requests: each gets the right status and a message that names what
 * was wrong, and none of them writes an event.
 */
import { randomUUID } from 'node:crypto';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';

describe('bad input over HTTP', () => {
  let api: ApiHarness;
  let fixture: Awaited<ReturnType<typeof cartWithOneLine>>;
  let suspendedSubscription: string;

  beforeAll(async () => {
    api = await startApi();
    fixture = await cartWithOneLine(api);
    suspendedSubscription = randomUUID();
    await api.call('POST', `/v1/customers/${fixture.customerId}/subscriptions`, {
      body: { subscriptionId: suspendedSubscription, name: 'Old' },
    });
    await api.call('POST', `/v1/customers/${fixture.customerId}/subscriptions/${suspendedSubscription}/suspend`);
  });
  afterAll(() => api.close());

  const validItem = () => ({
    catalogItemId: 'ri-standard_e4s_v5-eastus-p1y',
    quantity: 2,
    subscriptionId: fixture.subscriptionId,
    term: 'P1Y',
    billingPlan: 'Upfront',
  });

  /** Sends a request and checks that $all did not grow. */
  async function refused(method: string, path: string, options: Parameters<ApiHarness['call']>[2] = {}) {
    const before = await api.countEvents();
    const answer = await api.call(method, path, options);
    expect(await api.countEvents()).toBe(before);
    return answer;
  }

  const fieldsOf = (body: { errors?: Array<{ field: string }> }) => body.errors?.map((e) => e.field);

  it.each([
    ['a quantity of the wrong type', { quantity: 'two' }, 'quantity', /quantity must be an integer/],
    ['a negative quantity', { quantity: -3 }, 'quantity', /quantity must not be less than 1/],
    ['a huge quantity', { quantity: 1_000_000 }, 'quantity', /quantity must not be greater than 999/],
    ['a term that does not exist', { term: 'P5Y' }, 'term', /term must be one of the following values: P1Y, P3Y/],
    ['a subscription id that is not a UUID', { subscriptionId: 42 }, 'subscriptionId', /subscriptionId must be a UUID/],
  ])('refuses %s with 400 naming the field', async (_what, override, field, message) => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, {
      body: { ...validItem(), ...override },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(answer.body)).toEqual([field]);
    expect(answer.body.message).toMatch(message);
  });

  it('refuses unknown fields', async () => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, {
      body: { ...validItem(), discountPercent: 50 },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/property discountPercent should not exist/);
  });

  it('names every missing field', async () => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, { body: {} });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toEqual(['catalogItemId', 'quantity', 'subscriptionId', 'term', 'billingPlan']);
  });

  it('refuses malformed JSON', async () => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, { body: '{"quantity": ' });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ statusCode: 400, code: 'BAD_REQUEST', message: expect.any(String) });
  });

  it('refuses a single scope without its subscription', async () => {
    const answer = await refused('PUT', `/v1/carts/${fixture.cartId}/scope`, { body: { type: 'single' } });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toEqual(['subscriptionId']);
  });

  it('answers 404 for an unknown catalog item', async () => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, {
      body: { ...validItem(), catalogItemId: 'ri-standard_nope-eastus-p1y' },
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({
      code: 'CATALOG_ITEM_NOT_FOUND',
      message: 'catalog item ri-standard_nope-eastus-p1y does not exist',
    });
  });

  it('answers 404 for unknown ids and 400 for ids that are not UUIDs', async () => {
    expect((await refused('GET', `/v1/carts/${randomUUID()}`)).body.code).toBe('CART_NOT_FOUND');
    expect((await refused('GET', `/v1/orders/${randomUUID()}`)).status).toBe(404);
    expect(
      (await refused('PATCH', `/v1/carts/${fixture.cartId}/items/${randomUUID()}`, { body: { quantity: 1 } })).body
        .code,
    ).toBe('CART_LINE_NOT_FOUND');
    const notUuid = await refused('GET', '/v1/carts/not-a-uuid');
    expect(notUuid.status).toBe(400);
    expect(notUuid.body).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/uuid is expected/) });
  });

  it('answers 422 for a suspended subscription, with the Partner Center meaning', async () => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, {
      body: { ...validItem(), subscriptionId: suspendedSubscription },
    });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      code: 'SUBSCRIPTION_NOT_ACTIVE',
      message: `subscription ${suspendedSubscription} is not active`,
    });
  });

  it('answers 422 for a term the catalog item is not sold for', async () => {
    const answer = await refused('POST', `/v1/carts/${fixture.cartId}/items`, {
      body: { ...validItem(), term: 'P3Y' },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('TERM_MISMATCH');
  });

  it('refuses a malformed If-Match and Idempotency-Key', async () => {
    const ifMatch = await refused('PATCH', `/v1/carts/${fixture.cartId}/items/${fixture.lineId}`, {
      body: { quantity: 3 },
      headers: { 'if-match': 'yesterday' },
    });
    expect(ifMatch.status).toBe(400);
    expect(ifMatch.body.code).toBe('INVALID_IF_MATCH');
    const key = await refused('POST', '/v1/customers', {
      body: { name: 'X' },
      headers: { 'idempotency-key': 'x'.repeat(201) },
    });
    expect(key.status).toBe(400);
    expect(key.body.code).toBe('INVALID_IDEMPOTENCY_KEY');
  });

  it('needs a valid API key', async () => {
    expect((await refused('POST', '/v1/customers', { body: { name: 'X' }, key: null })).status).toBe(401);
    const wrong = await refused('POST', '/v1/customers', { body: { name: 'X' }, key: 'demo-key-contos' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('INVALID_API_KEY');
  });

  describe("another partner's data", () => {
    const asFabrikam = { key: FABRIKAM_KEY };

    it('is invisible: reads answer 404 as if it did not exist', async () => {
      expect((await refused('GET', `/v1/customers/${fixture.customerId}`, asFabrikam)).body.code).toBe(
        'CUSTOMER_NOT_FOUND',
      );
      expect((await refused('GET', `/v1/carts/${fixture.cartId}`, asFabrikam)).body.code).toBe('CART_NOT_FOUND');
    });

    it('cannot be changed: every command answers 404 and writes nothing', async () => {
      const attempts: Array<[string, string, unknown?]> = [
        ['POST', `/v1/customers/${fixture.customerId}/subscriptions`, { name: 'Sneaky' }],
        ['POST', `/v1/customers/${fixture.customerId}/subscriptions/${fixture.subscriptionId}/suspend`],
        ['POST', `/v1/customers/${fixture.customerId}/carts`],
        ['POST', `/v1/carts/${fixture.cartId}/items`, validItem()],
        ['PATCH', `/v1/carts/${fixture.cartId}/items/${fixture.lineId}`, { quantity: 9 }],
        ['DELETE', `/v1/carts/${fixture.cartId}/items/${fixture.lineId}`],
        ['PUT', `/v1/carts/${fixture.cartId}/scope`, { type: 'shared' }],
        ['POST', `/v1/carts/${fixture.cartId}/purchase`],
      ];
      for (const [method, path, body] of attempts) {
        const answer = await refused(method, path, { ...asFabrikam, body });
        expect([path, answer.status]).toEqual([path, 404]);
      }
    });

    it('is invisible in every view and auditor read', async () => {
      const { cartId } = await cartWithOneLine(api);
      const order = await api.call('POST', `/v1/carts/${cartId}/purchase`);
      const reads = [
        `/v1/customers/${fixture.customerId}/orders`,
        `/v1/customers/${fixture.customerId}/reservations`,
        `/v1/customers/${fixture.customerId}/costs`,
        `/v1/orders/${order.body.orderId}/events`,
        `/v1/orders/${order.body.orderId}?asOf=0`,
      ];
      for (const path of reads) {
        const answer = await refused('GET', path, asFabrikam);
        expect([path, answer.status, answer.body.code]).toEqual([path, 404, expect.stringMatching(/_NOT_FOUND$/)]);
      }
      // Lists only ever show the partner's own.
      const customers = await refused('GET', '/v1/customers?limit=100', asFabrikam);
      expect(customers.body.items.map((c: { customerId: string }) => c.customerId)).not.toContain(fixture.customerId);
      const orders = await refused('GET', '/v1/orders?limit=100', asFabrikam);
      expect(orders.body.items.map((o: { orderId: string }) => o.orderId)).not.toContain(order.body.orderId);
      const usage = await refused('POST', '/v1/usage', {
        ...asFabrikam,
        body: {
          records: [
            {
              customerId: fixture.customerId,
              subscriptionId: fixture.subscriptionId,
              resourceId: 'vm',
              region: 'eastus',
              vmSize: 'Standard_D2s_v5',
              // Yesterday, in the usage window on any date: what refuses it is the customer.
              hour: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000).toISOString(),
              quantity: 1,
              payAsYouGoRateUsd: 0.1,
            },
          ],
        },
      });
      expect(usage.status).toBe(404);
    });

    it("hides another partner's order", async () => {
      const { cartId } = await cartWithOneLine(api);
      const order = await api.call('POST', `/v1/carts/${cartId}/purchase`);
      expect((await refused('GET', `/v1/orders/${order.body.orderId}`, asFabrikam)).status).toBe(404);
      expect(
        (await refused('POST', `/v1/orders/${order.body.orderId}/cancel`, { ...asFabrikam, body: { reason: 'x' } }))
          .status,
      ).toBe(404);
    });
  });

  it('loses no update when 20 AddToCart calls hit one cart at once', async () => {
    const { cartId, subscriptionId } = await cartWithOneLine(api);
    const sizes = ['d2s', 'd4s', 'd8s', 'd16s', 'd32s'];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        api.call('POST', `/v1/carts/${cartId}/items`, {
          body: {
            catalogItemId: `ri-standard_${sizes[i % 5]}_v5-eastus-p1y`,
            quantity: i + 1,
            subscriptionId,
            term: 'P1Y',
            billingPlan: 'Upfront',
          },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const cart = await api.call('GET', `/v1/carts/${cartId}`);
    expect(cart.status).toBe(200);
    expect(cart.body.lines).toHaveLength(21);
    expect(
      cart.body.lines
        .slice(1)
        .map((l: { quantity: number }) => l.quantity)
        .sort((a: number, b: number) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(cart.body.revision).toBe('21');
  });
});
