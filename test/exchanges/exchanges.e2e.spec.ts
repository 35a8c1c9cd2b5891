/**
 * POST /v1/exchanges and its quote over HTTP, on the sandbox clock with a
 * real worker (whose exchange reactor finishes what a request leaves): two
 * reservations of two orders for one purchase, monthly money as Microsoft
 * states it, the same figures quoted and made, retries, refusals that write
 * nothing, and another partner's reservations answering 404.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(120_000);

const START = '2026-12-01T09:00:00.000Z';
const D4 = 'ri-standard_d4s_v5-westeurope-p1y'; // 1,186.54
const D8 = 'ri-standard_d8s_v5-westeurope-p1y'; // 2,373.64

describe('exchanges of several reservations', () => {
  let api: ApiHarness;
  let worker: RunningProcess;
  let customerId: string;
  let subscriptionId: string;

  beforeAll(async () => {
    const env = { SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: START };
    api = await startApi(env);
    worker = startTsProcess('apps/worker/src/main.ts', {
      ...env,
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: api.app.get(Redis).options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
      PROVISIONING_LATENCY_MS: '0',
    });
    customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Exchanges Ltd' } })).body.customerId;
    subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Production' },
    });
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await api?.close();
  });

  /** One order of one line; its reservation once fulfilled. */
  async function bought(quantity: number, billingPlan: 'Upfront' | 'Monthly', catalogItemId = D4): Promise<string> {
    const cart = (await api.call('POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    await api.call('POST', `/v1/carts/${cart}/items`, {
      body: {
        catalogItemId,
        quantity,
        subscriptionId,
        term: catalogItemId.endsWith('p3y') ? 'P3Y' : 'P1Y',
        billingPlan,
      },
    });
    const order = (
      await api.call('POST', `/v1/carts/${cart}/purchase`, { headers: { 'idempotency-key': randomUUID() } })
    ).body;
    return eventually(
      async () => {
        const answer = (await api.call('GET', `/v1/orders/${order.orderId}`, { consistent: false })).body;
        return answer.status === 'completed' && answer.reservationIds[0];
      },
      30_000,
      () => worker.output(),
    );
  }
  const body = (returns: Array<{ reservationId: string; quantity?: number }>, purchase: object) => ({
    customerId,
    returns,
    purchase,
  });
  const ids: Record<string, string> = {};

  it('gives back two reservations of two orders for one purchase, with the figures its quote gave, once however often it is sent', async () => {
    // Bought before 2027-02-01, so the policy lets them be exchanged.
    const one = await bought(2, 'Upfront');
    const other = await bought(1, 'Upfront');
    // 36 payments of 62.78 (2,260.08 over three years) from 2026-12-01.
    ids.monthly = await bought(1, 'Monthly', 'ri-standard_d4s_v5-westeurope-p3y');
    await api.call('PUT', '/v1/sandbox/clock', { body: { now: '2027-03-01T09:00:00Z' } });
    const asked = body([{ reservationId: one }, { reservationId: other }], {
      catalogItemId: D8,
      quantity: 2,
      billingPlan: 'Upfront',
    });
    const quote = await api.call('POST', '/v1/exchanges/quote', { body: asked });
    expect(quote.status).toBe(200);
    const events = await api.countEvents();
    expect(await api.countEvents()).toBe(events); // the quote wrote nothing
    const key = { 'idempotency-key': randomUUID() };
    const [made, racing] = await Promise.all([
      api.call('POST', '/v1/exchanges', { body: asked, headers: key }),
      api.call('POST', '/v1/exchanges', { body: asked, headers: key }),
    ]);
    expect(made.status).toBe(201);
    expect([201, 409]).toContain(racing.status); // the same key while the first runs: 409 IDEMPOTENCY_KEY_IN_USE, or its answer
    // 90 of 365 days begun: two VMs refund ⌊237,308 × 275/365⌋ cents = 1,787.93, one 893.96; 2,681.89 in all, against 4,747.28 charged.
    expect(made.body).toMatchObject({
      refundUsd: 2_681.89,
      remainingCommitmentUsd: 2_681.89,
      newCommitmentUsd: 4_747.28,
      chargedNowUsd: 4_747.28,
      amountDueUsd: 2_065.39,
    });
    for (const field of ['refundUsd', 'remainingCommitmentUsd', 'newCommitmentUsd', 'chargedNowUsd', 'amountDueUsd'])
      expect(made.body[field]).toBe(quote.body[field]);
    expect(made.body.reservation).toMatchObject({
      armSkuName: 'Standard_D8s_v5',
      quantity: 2,
      origin: { type: 'exchange', reservationIds: [one, other] },
    });
    const again = await api.call('POST', '/v1/exchanges', { body: asked, headers: key });
    expect(again.status).toBe(201);
    expect(again.body.reservation.reservationId).toBe(made.body.reservation.reservationId);
    for (const id of [one, other])
      expect((await api.call('GET', `/v1/reservations/${id}`)).body).toMatchObject({ provisioningState: 'Exchanged' });
    const march = (await api.call('GET', `/v1/customers/${customerId}/statements/2027-03`)).body;
    const exchangeLines = march.lines.filter((line: { kind: string }) => line.kind.startsWith('exchange'));
    expect(
      exchangeLines.map((line: { kind: string; amountUsd: number }) => [line.kind, line.amountUsd]).sort(),
    ).toEqual([
      ['exchangePurchase', 4_747.28],
      ['exchangeRefund', -1_787.93],
      ['exchangeRefund', -893.96],
    ]);
  });

  it('values a monthly reservation by the payments it will not make: the purchase is charged in full and the refund is only what was paid ahead (issue #26)', async () => {
    const monthly = ids.monthly;
    // The 18th payment falls due on 2028-05-01: after it, 18 are left, 18 × 62.78 = 1,130.04 of commitment returned, none of it paid.
    await api.call('PUT', '/v1/sandbox/clock', { body: { now: '2028-05-01T09:00:00Z' } });
    const asked = body([{ reservationId: monthly }], { catalogItemId: D8, quantity: 1, billingPlan: 'Upfront' });
    const quote = (await api.call('POST', '/v1/exchanges/quote', { body: asked })).body;
    expect(quote.remainingCommitmentUsd).toBe(1_130.04);
    // Paid ahead: 579 of 1,096 days remain, ⌊226,008 × 579/1,096⌋ = 1,193.96 of commitment, less the 1,130.04 left to pay: 63.92, refunded.
    // The purchase is charged in full against it: 2,373.64 − 63.92. (The earlier rule credited the whole 1,193.96 and asked 1,179.68.)
    expect(quote).toMatchObject({ refundUsd: 63.92, chargedNowUsd: 2_373.64, amountDueUsd: 2_309.72 });
    const made = await api.call('POST', '/v1/exchanges', { body: asked, headers: { 'idempotency-key': randomUUID() } });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      remainingCommitmentUsd: 1_130.04,
      refundUsd: quote.refundUsd,
      amountDueUsd: quote.amountDueUsd,
    });
    const payments = (await api.call('GET', `/v1/reservations/${monthly}/payments`)).body;
    expect(payments).toMatchObject({ paidUsd: 18 * 62.78, cancelledUsd: 1_130.04 });
  });

  it('refuses what it cannot make with a clear error and writes nothing', async () => {
    const one = await bought(1, 'Upfront');
    const events = await api.countEvents();
    const cases: Array<[object, Record<string, string>, number, string]> = [
      [
        body([{ reservationId: one }], { catalogItemId: D4, quantity: 1 }),
        { 'idempotency-key': randomUUID() },
        422,
        'EXCHANGE_NOT_ELIGIBLE',
      ],
      [
        body([{ reservationId: one }, { reservationId: one }], { catalogItemId: D8, quantity: 1 }),
        { 'idempotency-key': randomUUID() },
        422,
        'EXCHANGE_RETURNS_TWICE',
      ],
      [
        body([{ reservationId: one, quantity: 5 }], { catalogItemId: D8, quantity: 1 }),
        { 'idempotency-key': randomUUID() },
        422,
        'RETURN_QUANTITY_INVALID',
      ],
      [
        body([{ reservationId: randomUUID() }], { catalogItemId: D8, quantity: 1 }),
        { 'idempotency-key': randomUUID() },
        404,
        'RESERVATION_NOT_FOUND',
      ],
      [
        body([{ reservationId: one }], { catalogItemId: 'ri-nothing', quantity: 1 }),
        { 'idempotency-key': randomUUID() },
        404,
        'CATALOG_ITEM_NOT_FOUND',
      ],
      [body([{ reservationId: one }], { catalogItemId: D8, quantity: 1 }), {}, 428, 'PRECONDITION_REQUIRED'],
      [
        { customerId, returns: [], purchase: { catalogItemId: D8, quantity: 1 } },
        { 'idempotency-key': randomUUID() },
        400,
        'VALIDATION_FAILED',
      ],
    ];
    for (const [asked, headers, status, code] of cases) {
      const answer = await api.call('POST', '/v1/exchanges', { body: asked, headers });
      expect({ status: answer.status, code: answer.body.code }).toEqual({ status, code });
    }
    // Bought on or after 2027-02-01: the dated policy says so, by name.
    const refused = await api.call('POST', '/v1/exchanges/quote', {
      body: body([{ reservationId: one }], { catalogItemId: D8, quantity: 1 }),
    });
    expect(refused.body).toMatchObject({
      code: 'EXCHANGE_NOT_ELIGIBLE',
      message: expect.stringContaining('savings-plan-services-2027'),
    });
    // Another partner's reservation is not found, whatever the customer id says.
    const foreign = await api.call('POST', '/v1/exchanges/quote', {
      body: body([{ reservationId: one }], { catalogItemId: D8, quantity: 1 }),
      key: FABRIKAM_KEY,
    });
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({ status: 404, code: 'RESERVATION_NOT_FOUND' });
    expect(await api.countEvents()).toBe(events);
  });
});
