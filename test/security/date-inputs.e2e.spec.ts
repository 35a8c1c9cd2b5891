/**
 * Every date the API takes, over HTTP: each ISO 8601 form it claims is
 * read as the instant it names, and anything else is a 400, never a 5xx.
 *
 * The date inputs: `from`/`to` of both order histories and of costs,
 * `asOf` of an order, and `hour` of each usage record.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ApiHarness, startApi } from '../support/api-harness';
import { cartWithOneLine, line } from '../support/fixtures';
import { isoForm, ODD_ISO_DATES } from '../support/iso-8601-forms';

jest.setTimeout(180_000);

describe('date inputs', () => {
  let api: ApiHarness;
  let customerId: string;
  let subscriptionId: string;
  /** Three orders, oldest first, each with the instant it was placed. */
  let orders: Array<{ orderId: string; placedAt: number }>;

  beforeAll(async () => {
    api = await startApi();
    const fixture = await cartWithOneLine(api);
    ({ customerId, subscriptionId } = fixture);
    orders = [];
    for (let i = 0; i < 3; i++) {
      const cart = await api.call('POST', `/v1/customers/${customerId}/carts`);
      await api.call('POST', `/v1/carts/${cart.body.cartId}/items`, { body: line(subscriptionId) });
      const bought = await api.call('POST', `/v1/carts/${cart.body.cartId}/purchase`);
      expect(bought.status).toBe(201);
      orders.push({ orderId: bought.body.orderId, placedAt: Date.parse(bought.body.placedAt) });
      // Distinct milliseconds, so a bound falls between two orders.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });
  afterAll(() => api.close());

  const historyPaths = () => [`/v1/orders`, `/v1/customers/${customerId}/orders`];
  const orderIds = (body: { items: Array<{ orderId: string }> }) => body.items.map((item) => item.orderId).sort();
  const expectedIds = (from: number, to: number) =>
    orders
      .filter((order) => order.placedAt >= from && order.placedAt < to)
      .map((order) => order.orderId)
      .sort();

  it('reads from and to of the order histories in any ISO 8601 form as the instant it names', async () => {
    // Bounds at, just before and just after each order, written in any form at any offset.
    const near = fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: -2, max: 2 }))
      .map(([i, delta]) => orders[i].placedAt + delta);
    await fc.assert(
      fc.asyncProperty(isoForm(near), isoForm(near), fc.constantFrom(0, 1), async (from, to, which) => {
        const path = historyPaths()[which];
        const answer = await api.call(
          'GET',
          `${path}?from=${encodeURIComponent(from.text)}&to=${encodeURIComponent(to.text)}`,
        );
        expect({ from: from.text, to: to.text, status: answer.status }).toEqual({
          from: from.text,
          to: to.text,
          status: 200,
        });
        expect(orderIds(answer.body)).toEqual(expectedIds(from.instant, to.instant));
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });

  it.each(ODD_ISO_DATES)('takes %s (%s) as a bound of every date query', async (text, instant) => {
    const q = encodeURIComponent(text);
    for (const path of historyPaths()) {
      const from = await api.call('GET', `${path}?from=${q}`);
      expect(from.status).toBe(200);
      expect(orderIds(from.body)).toEqual(expectedIds(Date.parse(instant), Infinity));
      const to = await api.call('GET', `${path}?to=${q}`);
      expect(to.status).toBe(200);
      expect(orderIds(to.body)).toEqual(expectedIds(-Infinity, Date.parse(instant)));
    }
    const costs = await api.call('GET', `/v1/customers/${customerId}/costs?from=${q}&to=${q}`);
    expect(costs.status).toBe(200);
    expect(costs.body).toEqual({ view: 'actual', items: [] });
    const amortized = await api.call('GET', `/v1/customers/${customerId}/costs?view=amortized&from=${q}&to=${q}`);
    expect(amortized.body).toEqual({ view: 'amortized', items: [] });
  });

  it('takes the hour of a usage record in any ISO 8601 form that names the start of a UTC hour', async () => {
    // Within the usage window: the retention (400 days) back from now; older and later hours are refused, see test/abuse/usage-window.
    const now = Date.now();
    const wholeHour = fc.integer({ min: now - 399 * 86_400_000, max: now }).map((t) => t - (t % 3_600_000));
    await fc.assert(
      fc.asyncProperty(isoForm(wholeHour), async (hour) => {
        const answer = await api.call('POST', '/v1/usage', { body: { records: [usageRecord(hour.text)] } });
        expect({ hour: hour.text, status: answer.status, body: answer.body }).toMatchObject({
          hour: hour.text,
          status: 202,
          body: { accepted: 1 },
        });
      }),
      { numRuns: 40, seed: 20261202 },
    );
  });

  it('refuses with 400 an hour that is not the start of a UTC hour', async () => {
    for (const hour of [
      '2026-02-01T10:30Z',
      '2026-02-01T10:00+05:30',
      '2026-02-01T10:00:01Z',
      '2026-02-30T10:00Z',
      '2026-W54',
    ]) {
      const answer = await api.call('POST', '/v1/usage', { body: { records: [usageRecord(hour)] } });
      expect({ hour, status: answer.status, field: answer.body.errors?.[0]?.field }).toEqual({
        hour,
        status: 400,
        field: 'records.0.hour',
      });
    }
  });

  /** Near-ISO junk as well as anything at all. */
  const dateLike = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.stringMatching(
      /^[+-]?\d{2,7}(-?W?\d{1,3}){0,2}([T ]\d{1,2}(:?\d{2}){0,2}([.,]\d{0,12})?)?(Z|[+-]\d{1,4}|[+-]\d\d:\d\d)?$/,
    ),
    isoForm().map((form) => form.text),
  );

  it('answers every generated date on every date input with 2xx, 400 or (for an hour outside the usage window) 422, never 5xx', async () => {
    const orderId = () => orders[0].orderId;
    const inputs = fc.constantFrom(
      (d: string) => ['GET', `/v1/orders?from=${encodeURIComponent(d)}`, undefined] as const,
      (d: string) => ['GET', `/v1/orders?to=${encodeURIComponent(d)}`, undefined] as const,
      (d: string) =>
        [
          'GET',
          `/v1/customers/${customerId}/orders?from=${encodeURIComponent(d)}&to=${encodeURIComponent(d)}`,
          undefined,
        ] as const,
      (d: string) =>
        [
          'GET',
          `/v1/customers/${customerId}/costs?from=${encodeURIComponent(d)}&to=${encodeURIComponent(d)}`,
          undefined,
        ] as const,
      (d: string) => ['GET', `/v1/orders/${orderId()}?asOf=${encodeURIComponent(d)}`, undefined] as const,
      (d: string) => ['POST', '/v1/usage', { records: [usageRecord(d)] }] as const,
    );
    await fc.assert(
      fc.asyncProperty(inputs, dateLike, async (input, date) => {
        const [method, path, body] = input(date);
        const answer = await api.call(method, path, { body });
        const outsideWindow = answer.status === 422 && answer.body.code === 'USAGE_HOUR_OUT_OF_RANGE';
        if (
          answer.status >= 500 ||
          (answer.status >= 300 && answer.status !== 400 && answer.status !== 404 && !outsideWindow)
        ) {
          throw new Error(
            `${method} ${path} with ${JSON.stringify(date)} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
          );
        }
        if (answer.status >= 400)
          expect(answer.body).toMatchObject({
            statusCode: answer.status,
            code: expect.stringMatching(/^[A-Z_0-9]+$/),
            message: expect.any(String),
          });
      }),
      { numRuns: 300, seed: 20261202 },
    );
  });

  function usageRecord(hour: string) {
    return {
      customerId,
      subscriptionId,
      resourceId: `/vm/${randomUUID()}`,
      region: 'eastus',
      vmSize: 'Standard_D2s_v5',
      hour,
      quantity: 1,
      payAsYouGoRateUsd: 0.1,
    };
  }
});
