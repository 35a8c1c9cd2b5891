/**
 * Hostile input, generated: random and malformed bodies, headers and ids,
 * and odd but valid ISO 8601 dates (week, ordinal, expanded years, 24:00) as
 * well as near misses in every date input. Each answer is a 4xx with a
 * message, never a 5xx, and a refused command writes no event. Commands
 * whose bodies reach the domain are hostile-commands.e2e.spec.ts's.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ApiHarness, startApi } from '../support/api-harness';
import { cartWithOneLine } from '../support/fixtures';
import { isoForm, ODD_ISO_DATES } from '../support/iso-8601-forms';

jest.setTimeout(120_000);

describe('hostile input', () => {
  let api: ApiHarness;
  let fixture: Awaited<ReturnType<typeof cartWithOneLine>>;

  beforeAll(async () => {
    api = await startApi();
    fixture = await cartWithOneLine(api);
  });
  afterAll(() => api.close());

  const rarely = <T>(arbitrary: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary, weight: 1 });
  const headerValue = fc.string({ maxLength: 80 }).filter((v) => /^[\x20-\x7e]*$/.test(v));
  /** Mostly real ids of the fixture (so requests reach the domain), sometimes anything. */
  const id = (real: () => string) =>
    fc.oneof(
      { arbitrary: fc.constant(null).map(() => real()), weight: 3 },
      { arbitrary: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 }), fc.constant('..%2F..%2Fetc')), weight: 1 },
    );

  /** Odd but valid ISO 8601 (week and ordinal dates, expanded years, 24:00, basic form), or near misses. */
  const date = () =>
    fc.oneof(
      fc.constantFrom(...ODD_ISO_DATES.map(([text]) => text)),
      isoForm().map((form) => form.text),
      fc.constantFrom('2026-W54', '2026-367', '2026-01-01T24:01', '+2026-01-01', '2026-02-30', '2026-1-1'),
      fc.string({ maxLength: 30 }),
    );
  const q = (value: string) => encodeURIComponent(value);

  const requests = () =>
    fc.oneof(
      fc.tuple(fc.constant('POST'), fc.constant('/v1/customers')),
      fc.tuple(
        fc.constant('POST'),
        id(() => fixture.customerId).map((c) => `/v1/customers/${encodeURIComponent(c)}/subscriptions`),
      ),
      fc.tuple(
        fc.constant('POST'),
        id(() => fixture.customerId).map((c) => `/v1/customers/${encodeURIComponent(c)}/carts`),
      ),
      fc.tuple(
        fc.constant('POST'),
        id(() => fixture.cartId).map((c) => `/v1/carts/${encodeURIComponent(c)}/items`),
      ),
      fc.tuple(
        fc.constant('PATCH'),
        id(() => fixture.lineId).map((l) => `/v1/carts/${fixture.cartId}/items/${encodeURIComponent(l)}`),
      ),
      fc.tuple(
        fc.constant('PUT'),
        id(() => fixture.cartId).map((c) => `/v1/carts/${encodeURIComponent(c)}/scope`),
      ),
      fc.tuple(
        fc.constant('POST'),
        id(() => randomUUID()).map((o) => `/v1/orders/${encodeURIComponent(o)}/cancel`),
      ),
      fc.tuple(fc.constant('POST'), fc.constant('/v1/usage')),
      fc.tuple(
        fc.constant('PUT'),
        id(() => fixture.customerId).map((c) => `/v1/customers/${encodeURIComponent(c)}/contact`),
      ),
      fc.tuple(
        fc.constant('DELETE'),
        id(() => randomUUID()).map((c) => `/v1/customers/${encodeURIComponent(c)}/personal-data`),
      ),
      fc.tuple(
        fc.constant('PUT'),
        id(() => randomUUID()).map((r) => `/v1/reservations/${encodeURIComponent(r)}/scope`),
      ),
      fc.tuple(
        fc.constant('POST'),
        id(() => randomUUID()).map((r) => `/v1/reservations/${encodeURIComponent(r)}/split`),
      ),
      fc.tuple(
        fc.constant('PUT'),
        id(() => randomUUID()).map((r) => `/v1/reservations/${encodeURIComponent(r)}/auto-renew`),
      ),
      fc.tuple(
        fc.constant('POST'),
        id(() => randomUUID()).map((r) => `/v1/reservations/${encodeURIComponent(r)}/cancel`),
      ),
      fc.tuple(fc.constant('POST'), fc.constant('/v1/reservations/merge')),
      fc.tuple(
        fc.constant('GET'),
        fc.tuple(date(), date()).map(([from, to]) => `/v1/orders?from=${q(from)}&to=${q(to)}`),
      ),
      fc.tuple(
        fc.constant('GET'),
        date().map((from) => `/v1/customers/${fixture.customerId}/orders?from=${q(from)}`),
      ),
      fc.tuple(
        fc.constant('GET'),
        fc
          .tuple(date(), date())
          .map(([from, to]) => `/v1/customers/${fixture.customerId}/costs?from=${q(from)}&to=${q(to)}`),
      ),
      fc.tuple(
        fc.constant('GET'),
        date().map((asOf) => `/v1/orders/${randomUUID()}?asOf=${q(asOf)}`),
      ),
    );

  /** Bodies shaped like ours, with junk in their fields, or any JSON at all. */
  const body = () =>
    fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          name: fc.oneof(fc.string(), fc.jsonValue()),
          email: fc.oneof(fc.emailAddress(), fc.string(), fc.jsonValue()),
          phone: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue()),
          quantity: fc.oneof(fc.integer({ min: -5, max: 2_000 }), fc.double(), fc.string(), fc.constant(null)),
          subscriptionId: fc.oneof(
            fc.constant(null).map(() => fixture.subscriptionId),
            fc.uuid(),
            fc.jsonValue(),
          ),
          catalogItemId: fc.oneof(fc.constant('ri-standard_d2s_v5-eastus-p1y'), fc.string(), fc.jsonValue()),
          term: fc.oneof(fc.constantFrom('P1Y', 'P3Y', 'P9Y'), fc.jsonValue()),
          billingPlan: fc.oneof(fc.constantFrom('Upfront', 'Monthly', 'Yearly'), fc.jsonValue()),
          type: fc.oneof(fc.constantFrom('single', 'shared', 'none'), fc.jsonValue()),
          reason: fc.oneof(fc.string(), fc.jsonValue()),
          records: fc.oneof(
            fc.array(fc.jsonValue(), { maxLength: 3 }),
            fc.jsonValue(),
            // Usage records that reach the hour's parsing: the fixture's customer and subscription, any date.
            fc.array(
              date().map((hour) => ({
                customerId: fixture.customerId,
                subscriptionId: fixture.subscriptionId,
                resourceId: 'vm-1',
                region: 'eastus',
                vmSize: 'Standard_D2s_v5',
                hour,
                quantity: 1,
                payAsYouGoRateUsd: 0.1,
              })),
              { minLength: 1, maxLength: 2 },
            ),
          ),
          quantities: fc.oneof(fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 3 }), fc.jsonValue()),
          reservationIds: fc.oneof(fc.array(fc.uuid(), { maxLength: 3 }), fc.jsonValue()),
          autoRenew: fc.oneof(fc.boolean(), fc.jsonValue()),
          extra: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );

  it('answers every generated request with a 4xx and a message, and writes nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(
        requests(),
        body(),
        fc.record({
          idempotencyKey: rarely(headerValue),
          ifMatch: rarely(headerValue),
          rawBody: rarely(fc.string({ maxLength: 200 })),
        }),
        async ([method, path], generated, { idempotencyKey, ifMatch, rawBody }) => {
          const headers: Record<string, string> = {};
          if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
          if (ifMatch !== null) headers['if-match'] = ifMatch;
          const before = await api.countEvents();
          const answer = await api.call(method, path, {
            body: method === 'GET' ? undefined : (rawBody ?? generated),
            headers,
          });
          if (answer.status >= 500)
            throw new Error(
              `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)} for ${JSON.stringify(rawBody ?? generated)}`,
            );
          if (answer.status >= 400) {
            expect(answer.body).toMatchObject({
              statusCode: answer.status,
              code: expect.stringMatching(/^[A-Z_0-9]+$/),
              message: expect.any(String),
            });
            expect(await api.countEvents()).toBe(before);
          }
        },
      ),
      { numRuns: 300, seed: 20261125 },
    );
  });
});
