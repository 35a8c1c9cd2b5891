/**
 * Managing reservations after purchase, over HTTP against a real listening
 * app: scope changes, split, merge, auto-renew, refund quotes and
 * cancellation with the per-customer refund cap. Reservations are recorded
 * on their streams the way fulfilment records them.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient } from '@eventstore/db-client';
import { ReservationProvisionedData } from '@app/domain';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { mergeTargetId } from '../../apps/api/src/reservations/merge-reservations/merge-reservations.command';
import { seedReservationOrder } from '../support/reservation-orders';

jest.setTimeout(60_000);

/** The api's clock stands here, before the exchange policy of 2027-02-01: what a refund or an exchange comes to never depends on the day the suite runs. */
const NOW = '2026-11-05T10:00:00.000Z';

describe('reservation management', () => {
  let api: ApiHarness;
  let customerId: string;
  let production: string;
  let development: string;

  beforeAll(async () => {
    api = await startApi({ SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: NOW });
    customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Contoso Retail Ltd' } })).body.customerId;
    [production, development] = [randomUUID(), randomUUID()];
    for (const [subscriptionId, name] of [
      [production, 'Production'],
      [development, 'Development'],
    ]) {
      await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name } });
    }
  });
  afterAll(() => api.close());

  const owner = () => ({ customerId, partnerId: 'partner-contoso', subscriptionIds: [production, development] });

  /** One reservation, in a reservation order of its own, as fulfilment records it. */
  async function reservation(overrides: Partial<ReservationProvisionedData> = {}): Promise<string> {
    const seeded = await seedReservationOrder(api.app.get(EventStoreDBClient), owner(), [overrides], NOW);
    seededAt.set(seeded.reservationIds[0], seeded.position);
    return seeded.reservationIds[0];
  }
  const seededAt = new Map<string, bigint>();

  /** A return or an exchange must carry If-Match or an Idempotency-Key; a fresh key makes each call a new request. */
  const newKey = () => ({ 'idempotency-key': randomUUID() });
  /** The ETag of a reservation as seeded: read once the view has it all. */
  const etagOf = async (id: string) =>
    (
      await api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': String(seededAt.get(id)) } })
    ).headers.get('etag')!;

  /** Several reservations in one reservation order. */
  async function reservationOrder(...reservations: Array<Partial<ReservationProvisionedData>>): Promise<string[]> {
    return (await seedReservationOrder(api.app.get(EventStoreDBClient), owner(), reservations, NOW)).reservationIds;
  }

  it('changes the scope single ↔ shared, refusing subscriptions that are not active or not the customer’s', async () => {
    const id = await reservation();
    const single = await api.call('PUT', `/v1/reservations/${id}/scope`, {
      body: { type: 'single', subscriptionId: production },
    });
    expect(single.status).toBe(200);
    expect(single.body).toMatchObject({
      scope: { type: 'single', subscriptionId: production },
      appliedSubscriptionIds: [production],
      term: 'P1Y',
      provisioningState: 'Succeeded',
    });
    // A reservation's ETag is its reservation order's revision: placed, line started, provisioned, completed, then this change.
    expect(single.headers.get('etag')).toBe('"4"');

    const foreign = await api.call('PUT', `/v1/reservations/${id}/scope`, {
      body: { type: 'single', subscriptionId: randomUUID() },
    });
    expect({ status: foreign.status, code: foreign.body.code }).toEqual({
      status: 422,
      code: 'SUBSCRIPTION_NOT_IN_BILLING_CONTEXT',
    });
    await api.call('POST', `/v1/customers/${customerId}/subscriptions/${development}/suspend`);
    const suspended = await api.call('PUT', `/v1/reservations/${id}/scope`, {
      body: { type: 'single', subscriptionId: development },
    });
    expect({ status: suspended.status, code: suspended.body.code }).toEqual({
      status: 422,
      code: 'SUBSCRIPTION_NOT_ACTIVE',
    });
    await api.call('POST', `/v1/customers/${customerId}/subscriptions/${development}/reactivate`);

    const stale = await api.call('PUT', `/v1/reservations/${id}/scope`, {
      body: { type: 'shared' },
      headers: { 'if-match': '"3"' },
    });
    expect({ status: stale.status, code: stale.body.code, current: stale.body.currentRevision }).toEqual({
      status: 409,
      code: 'STALE_REVISION',
      current: '4',
    });
    const shared = await api.call('PUT', `/v1/reservations/${id}/scope`, {
      body: { type: 'shared' },
      headers: { 'if-match': '"4"' },
    });
    expect(shared.body).toMatchObject({ scope: { type: 'shared' }, appliedSubscriptionIds: [production, development] });

    const view = await api.call('GET', `/v1/reservations/${id}`);
    expect(view.body.history.map((entry: { type: string }) => entry.type)).toEqual([
      'ReservationProvisioned',
      'ReservationScopeChanged',
      'ReservationScopeChanged',
    ]);
    expect(view.body.scopePeriods.map((period: { scope: { type: string } }) => period.scope.type)).toEqual([
      'shared',
      'single',
      'shared',
    ]);

    expect(
      (await api.call('PUT', `/v1/reservations/${id}/scope`, { body: { type: 'shared' }, key: FABRIKAM_KEY })).status,
    ).toBe(404);
    expect((await api.call('GET', `/v1/reservations/${id}`, { key: FABRIKAM_KEY })).status).toBe(404);
  });

  it('splits into two reservations with the same end date; a retry gives the same two; the quantities must add up', async () => {
    const id = await reservation({ quantity: 3 });
    expect((await api.call('POST', `/v1/reservations/${id}/split`, { body: { quantities: [0, 3] } })).status).toBe(400);
    const wrong = await api.call('POST', `/v1/reservations/${id}/split`, { body: { quantities: [1, 1] } });
    expect({ status: wrong.status, code: wrong.body.code }).toEqual({ status: 422, code: 'SPLIT_QUANTITIES_MISMATCH' });

    await api.call('PUT', `/v1/reservations/${id}/auto-renew`, { body: { autoRenew: true } });
    const split = await api.call('POST', `/v1/reservations/${id}/split`, { body: { quantities: [1, 2] } });
    expect(split.status).toBe(201);
    const original = (await api.call('GET', `/v1/reservations/${id}`)).body;
    expect(
      split.body.items.map((r: { quantity: number; expiryDate: string; origin: unknown }) => [
        r.quantity,
        r.expiryDate,
        r.origin,
      ]),
    ).toEqual([
      [1, original.expiryDate, { type: 'split', reservationIds: [id] }],
      [2, original.expiryDate, { type: 'split', reservationIds: [id] }],
    ]);
    expect(original.provisioningState).toBe('Split');
    expect(original.history.map((entry: { type: string }) => entry.type)).toEqual([
      'ReservationProvisioned',
      'ReservationAutoRenewSet',
      'ReservationRenewalCancelled',
      'ReservationSplit',
    ]);

    const again = await api.call('POST', `/v1/reservations/${id}/split`, { body: { quantities: [1, 2] } });
    expect(again.body.items.map((r: { reservationId: string }) => r.reservationId)).toEqual(
      split.body.items.map((r: { reservationId: string }) => r.reservationId),
    );
    const different = await api.call('POST', `/v1/reservations/${id}/split`, { body: { quantities: [2, 1] } });
    expect({ status: different.status, code: different.body.code }).toEqual({
      status: 409,
      code: 'RESERVATION_NOT_ACTIVE',
    });
  });

  it('merges reservations with the same SKU, region, term, billing plan and end date into one, and refuses others', async () => {
    const expiryDate = '2027-09-01T00:00:00.000Z';
    const [a, b, elsewhere] = await reservationOrder(
      { quantity: 1, expiryDate },
      { quantity: 2, expiryDate, unitPriceUsd: 1_300 },
      { quantity: 1, expiryDate, region: 'eastus', catalogItemId: 'ri-standard_d4s_v5-eastus-p1y' },
    );
    const otherOrder = await reservation({ quantity: 1, expiryDate });
    const across = await api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a, otherOrder] } });
    expect({ status: across.status, code: across.body.code }).toEqual({ status: 422, code: 'MERGE_ACROSS_ORDERS' });

    const mismatch = await api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a, elsewhere] } });
    expect({ status: mismatch.status, code: mismatch.body.code }).toEqual({ status: 422, code: 'MERGE_MISMATCH' });
    expect(mismatch.body.message).toContain('region');

    const merged = await api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a, b] } });
    expect(merged.status).toBe(201);
    expect(merged.body).toMatchObject({ quantity: 3, expiryDate, origin: { type: 'merge', reservationIds: [a, b] } });
    expect(
      (await api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [b, a] } })).body.reservationId,
    ).toBe(merged.body.reservationId);
    for (const source of [a, b])
      expect((await api.call('GET', `/v1/reservations/${source}`)).body).toMatchObject({
        provisioningState: 'Merged',
        mergedInto: merged.body.reservationId,
      });

    expect((await api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a] } })).status).toBe(400);
    expect(
      (await api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a, b] }, key: FABRIKAM_KEY }))
        .status,
    ).toBe(404);
  });

  it('race: the same merge sent three times at once merges once; the sources do not stay active beside it', async () => {
    const [a, b] = await reservationOrder({ quantity: 1 }, { quantity: 1 });
    const answers = await Promise.all(
      [1, 2, 3].map(() => api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a, b] } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(new Set(answers.map((answer) => answer.body.reservationId))).toEqual(new Set([mergeTargetId([a, b])]));
    const states = await Promise.all(
      [a, b, mergeTargetId([a, b])].map(
        async (id) =>
          (await api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': answers[0].body.position } }))
            .body,
      ),
    );
    expect(states.map((r) => [r.provisioningState, r.quantity])).toEqual([
      ['Merged', 1],
      ['Merged', 1],
      ['Succeeded', 2],
    ]);
  });

  it('race: a split and a merge of the same reservation sent at once — one wins, the other is refused, units are conserved', async () => {
    const [a, b] = await reservationOrder({ quantity: 2 }, { quantity: 2 });
    const [split, merge] = await Promise.all([
      api.call('POST', `/v1/reservations/${a}/split`, { body: { quantities: [1, 1] } }),
      api.call('POST', '/v1/reservations/merge', { body: { reservationIds: [a, b] } }),
    ]);
    expect([split.status, merge.status].sort()).toEqual([201, 409]);
    const orderId = (
      await api.call('GET', `/v1/reservations/${a}`, {
        headers: { 'x-min-position': (split.body.items?.[0] ?? merge.body).position },
      })
    ).body.orderId;
    const order = await api.call('GET', `/v1/orders/${orderId}`, {
      headers: { 'x-min-position': (split.body.items?.[0] ?? merge.body).position },
    });
    const activeUnits = Object.values(
      order.body.reservations as Record<string, { provisioningState: string; quantity: number }>,
    )
      .filter((r) => r.provisioningState === 'Succeeded')
      .reduce((total, r) => total + r.quantity, 0);
    expect(activeUnits).toBe(4);
  });

  it('quotes and pays the prorated refund, and refuses a refund over the customer’s rolling USD 50,000 cap with what is left', async () => {
    const id = await reservation({ quantity: 2, unitPriceUsd: 2_000 });
    const quote = await api.call('GET', `/v1/reservations/${id}/refund-quote`);
    expect(quote.status).toBe(200);
    // Today's price (1,186.54) is lower than the 2,000 paid; almost the whole year is left.
    expect(quote.body).toMatchObject({
      unitPriceUsd: 1_186.54,
      currentUnitPriceUsd: 1_186.54,
      purchaseUnitPriceUsd: 2_000,
      withinAllowance: true,
      allowance: { capUsd: 50_000, usedUsd: 0 },
    });
    expect(quote.body.refundUsd).toBeGreaterThan(2_373.0);
    expect(quote.body.refundUsd).toBeLessThanOrEqual(2_373.08);

    const cancelled = await api.call('POST', `/v1/reservations/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.provisioningState).toBe('Cancelled');
    const view = (await api.call('GET', `/v1/reservations/${id}`)).body;
    const refunded = view.history.find((entry: { type: string }) => entry.type === 'ReservationCancelled').detail
      .refundUsd;
    expect(refunded).toBeCloseTo(quote.body.refundUsd, 1);
    expect(view.refundAllowance.usedUsd).toBe(refunded);
    const twice = await api.call('POST', `/v1/reservations/${id}/cancel`);
    expect({ status: twice.status, code: twice.body.code }).toEqual({ status: 409, code: 'RESERVATION_NOT_ACTIVE' });

    // Three-year D64s_v5 reservations: each refund alone is about USD 38,000.
    const big = {
      catalogItemId: 'ri-standard_d64s_v5-japaneast-p3y',
      armSkuName: 'Standard_D64s_v5',
      region: 'japaneast',
      term: 'P3Y' as const,
      quantity: 1,
      unitPriceUsd: 38_751.44,
    };
    const first = await reservation({
      ...big,
      expiryDate: new Date(Date.parse(NOW) + 3 * 365 * 86_400_000).toISOString(),
    });
    const second = await reservation({
      ...big,
      expiryDate: new Date(Date.parse(NOW) + 3 * 365 * 86_400_000).toISOString(),
    });
    expect((await api.call('POST', `/v1/reservations/${first}/cancel`)).status).toBe(200);
    const before = await api.countEvents();
    const overCap = await api.call('GET', `/v1/reservations/${second}/refund-quote`);
    expect(overCap.body.withinAllowance).toBe(false);
    const refused = await api.call('POST', `/v1/reservations/${second}/cancel`);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'REFUND_CAP_EXCEEDED',
      details: { allowance: { capUsd: 50_000, remainingUsd: overCap.body.allowance.remainingUsd } },
    });
    expect(refused.body.message).toContain(
      `remaining refund allowance of USD ${overCap.body.allowance.remainingUsd.toFixed(2)}`,
    );
    expect(await api.countEvents()).toBe(before);
    expect((await api.call('GET', `/v1/reservations/${second}`)).body.provisioningState).toBe('Succeeded');
  });

  it('race: three cancellations of one reservation at once count one refund, and the ledger, the view and the quote agree', async () => {
    const customer = (await api.call('POST', '/v1/customers', { body: { name: 'Parallel Cancels Ltd' } })).body
      .customerId;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customer}/subscriptions`, { body: { subscriptionId, name: 'Main' } });
    const seeded = await seedReservationOrder(
      api.app.get(EventStoreDBClient),
      { customerId: customer, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
      [{ quantity: 1 }, { quantity: 1 }],
      NOW,
    );
    const [id, other] = seeded.reservationIds;

    const answers = await Promise.all([1, 2, 3].map(() => api.call('POST', `/v1/reservations/${id}/cancel`)));
    expect(
      answers.every(
        (answer) => answer.status === 200 || (answer.status === 409 && answer.body.code === 'RESERVATION_NOT_ACTIVE'),
      ),
    ).toBe(true);
    expect(answers.some((answer) => answer.status === 200)).toBe(true);

    const position = answers.find((answer) => answer.status === 200)!.body.position;
    const view = (await api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': position } })).body;
    const refunds = view.history.filter((entry: { type: string }) => entry.type === 'ReservationCancelled');
    expect(refunds).toHaveLength(1);
    const quote = (await api.call('GET', `/v1/reservations/${other}/refund-quote`)).body;
    expect(quote.allowance.usedUsd).toBe(refunds[0].detail.refundUsd);
    expect(view.refundAllowance.usedUsd).toBe(refunds[0].detail.refundUsd);
  });

  it('returns part of a reservation: the rest stays active, the refund is the value of the units returned, and returning all of it cancels it', async () => {
    const id = await reservation({ quantity: 3 });
    const whole = (await api.call('GET', `/v1/reservations/${id}/refund-quote`)).body;
    const allowanceBefore = whole.allowance.usedUsd;
    expect(whole.quantity).toBe(3);
    const quoted = await api.call('GET', `/v1/reservations/${id}/refund-quote?quantity=1`);
    expect(quoted.status).toBe(200);
    expect(quoted.body).toMatchObject({ reservationId: id, quantity: 1 });
    const overQuote = await api.call('GET', `/v1/reservations/${id}/refund-quote?quantity=4`);
    expect({ status: overQuote.status, code: overQuote.body.code }).toEqual({
      status: 422,
      code: 'RETURN_QUANTITY_INVALID',
    });
    for (const bad of ['0', '1.5', 'one']) {
      const refused = await api.call('GET', `/v1/reservations/${id}/refund-quote?quantity=${bad}`);
      expect({ bad, status: refused.status, code: refused.body.code, field: refused.body.errors?.[0]?.field }).toEqual({
        bad,
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'quantity',
      });
    }

    const returned = await api.call('POST', `/v1/reservations/${id}/return`, {
      body: { quantity: 1 },
      headers: { 'if-match': await etagOf(id) },
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({
      provisioningState: 'Succeeded',
      quantity: 2,
      returns: [{ cancellationId: `${id}/return-at-3`, quantity: 1 }],
    });
    expect(returned.headers.get('etag')).toBe('"4"');
    const view = (
      await api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': returned.body.position } })
    ).body;
    expect(view.quantity).toBe(2);
    const entry = view.history.find((e: { type: string }) => e.type === 'ReservationQuantityReturned');
    expect(entry.detail).toMatchObject({ quantity: 1, remainingQuantity: 2, cancellationId: `${id}/return-at-3` });
    // One unit of three: a third of the whole refund, to the cent (each is rounded down), and what the quote for one said.
    expect(Math.abs(entry.detail.refundUsd * 3 - whole.refundUsd)).toBeLessThanOrEqual(0.03);
    expect(entry.detail.refundUsd).toBe(quoted.body.refundUsd);
    expect(view.refundAllowance.usedUsd).toBeCloseTo(allowanceBefore + entry.detail.refundUsd, 2);

    const before = await api.countEvents();
    const tooMany = await api.call('POST', `/v1/reservations/${id}/return`, {
      body: { quantity: 3 },
      headers: newKey(),
    });
    expect({ status: tooMany.status, code: tooMany.body.code }).toEqual({
      status: 422,
      code: 'RETURN_QUANTITY_INVALID',
    });
    expect(tooMany.body.message).toContain("the reservation's quantity, 2");
    const invalid = await api.call('POST', `/v1/reservations/${id}/return`, {
      body: { quantity: 0.5 },
      headers: newKey(),
    });
    expect({ status: invalid.status, code: invalid.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(invalid.body.message).toMatch(/quantity must be an integer number/);
    expect(await api.countEvents()).toBe(before);

    const rest = await api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 2 }, headers: newKey() });
    expect(rest.body).toMatchObject({ provisioningState: 'Cancelled', quantity: 2 });
  });

  it('race: two identical returns at once return once, and both answer it', async () => {
    const id = await reservation({ quantity: 3 });
    // A client that retries before the first answer came: the same If-Match on both.
    const ifMatch = await etagOf(id);
    const answers = await Promise.all(
      [1, 2].map(() =>
        api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers: { 'if-match': ifMatch } }),
      ),
    );
    expect(answers.map((answer) => [answer.status, answer.body.quantity])).toEqual([
      [200, 2],
      [200, 2],
    ]);
    const view = (
      await api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': answers[0].body.position } })
    ).body;
    expect(view.history.filter((e: { type: string }) => e.type === 'ReservationQuantityReturned')).toHaveLength(1);
  });

  it('answers a read with the ETag its commands check, after its order completed and after another reservation of the order changed', async () => {
    const seeded = await seedReservationOrder(api.app.get(EventStoreDBClient), owner(), [{}, {}], NOW);
    const [first, second] = seeded.reservationIds;
    const read = (id: string, position: string) =>
      api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': position } });
    // Placed, two lines started and provisioned, completed: revision 5, though each reservation's own last event is earlier.
    const fresh = await read(first, String(seeded.position));
    expect(fresh.headers.get('etag')).toBe('"5"');
    expect(fresh.body).toMatchObject({ reservationId: first, quantity: 3, revision: '5' });
    const changed = await api.call('PUT', `/v1/reservations/${second}/scope`, {
      body: { type: 'single', subscriptionId: production },
      headers: { 'if-match': (await read(second, String(seeded.position))).headers.get('etag')! },
    });
    expect(changed.status).toBe(200);
    const after = await read(first, changed.headers.get('x-position')!);
    expect(after.headers.get('etag')).toBe(changed.headers.get('etag'));
    const returned = await api.call('POST', `/v1/reservations/${first}/return`, {
      body: { quantity: 1 },
      headers: { 'if-match': after.headers.get('etag')! },
    });
    expect(returned.status).toBe(200);
  });

  it('refuses a return or an exchange that carries neither If-Match nor Idempotency-Key with 428, writing nothing', async () => {
    const id = await reservation({ quantity: 3 });
    const before = await api.countEvents();
    const returned = await api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 } });
    expect({ status: returned.status, code: returned.body.code }).toEqual({
      status: 428,
      code: 'PRECONDITION_REQUIRED',
    });
    expect(returned.body.message).toMatch(/If-Match .* or an Idempotency-Key/);
    const exchanged = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 1 },
    });
    expect({ status: exchanged.status, code: exchanged.body.code }).toEqual({
      status: 428,
      code: 'PRECONDITION_REQUIRED',
    });
    expect(await api.countEvents()).toBe(before);
    expect((await api.call('GET', `/v1/reservations/${id}`)).body.quantity).toBe(3);
  });

  it('retry: a return or an exchange sent again after its answer was lost happens once', async () => {
    const id = await reservation({ quantity: 4 });
    // With the same Idempotency-Key: the first answer again, marked as replayed.
    const headers = newKey();
    const first = await api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers });
    const again = await api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers });
    expect(first.status).toBe(200);
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: first.body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // With the same If-Match: the reservation moved on, so the retry is stale.
    const ifMatch = { 'if-match': first.headers.get('etag')! };
    const second = await api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers: ifMatch });
    expect(second.status).toBe(200);
    const stale = await api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers: ifMatch });
    expect({ status: stale.status, code: stale.body.code }).toEqual({ status: 409, code: 'STALE_REVISION' });
    const exchange = { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 1, returnQuantity: 1 };
    const exchangeIfMatch = { 'if-match': second.headers.get('etag')! };
    const exchanged = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: exchange,
      headers: exchangeIfMatch,
    });
    expect(exchanged.status).toBe(201);
    const staleExchange = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: exchange,
      headers: exchangeIfMatch,
    });
    expect({ status: staleExchange.status, code: staleExchange.body.code }).toEqual({
      status: 409,
      code: 'STALE_REVISION',
    });

    const view = (
      await api.call('GET', `/v1/reservations/${id}`, {
        headers: { 'x-min-position': exchanged.body.reservation.position },
      })
    ).body;
    expect(view.history.filter((e: { type: string }) => e.type === 'ReservationQuantityReturned')).toHaveLength(2);
    expect(view.history.filter((e: { type: string }) => e.type === 'ReservationExchanged')).toHaveLength(1);
    expect(view.quantity).toBe(1);
  });

  it('exchanges a quantity for another size of the same group and region in one step, outside the refund cap, and refuses an exchange worth less', async () => {
    // Three D4s_v5 in West Europe bought at 1,000 each: two give back about 2,000 of remaining value.
    const id = await reservation({ quantity: 3 });
    const allowanceBefore = (await api.call('GET', `/v1/reservations/${id}/refund-quote`)).body.allowance.usedUsd;
    const d8 = 'ri-standard_d8s_v5-westeurope-p1y';

    const exchanged = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: { catalogItemId: d8, quantity: 1, returnQuantity: 2 },
      headers: newKey(),
    });
    expect(exchanged.status).toBe(201);
    expect(exchanged.body.exchanged).toMatchObject({ reservationId: id, provisioningState: 'Succeeded', quantity: 1 });
    expect(exchanged.body.reservation).toMatchObject({
      armSkuName: 'Standard_D8s_v5',
      quantity: 1,
      provisioningState: 'Succeeded',
      origin: { type: 'exchange', reservationIds: [id] },
    });
    const { returnedValueUsd, refundUsd, newCommitmentUsd, chargedNowUsd, amountDueUsd } = exchanged.body;
    expect(newCommitmentUsd).toBe(2_373.64);
    // Upfront: the prorated value of what it gives back is both the refund and the commitment returned.
    expect(returnedValueUsd).toBeGreaterThan(1_990);
    expect(returnedValueUsd).toBeLessThanOrEqual(2_000);
    expect(refundUsd).toBe(returnedValueUsd);
    // The purchase is charged in full, the refund adjusted against it.
    expect(chargedNowUsd).toBe(2_373.64);
    expect(amountDueUsd).toBeCloseTo(chargedNowUsd - refundUsd, 2);
    // Its term starts at the exchange.
    const bought = exchanged.body.reservation;
    expect(Date.parse(bought.expiryDate) - Date.parse(bought.effectiveDate)).toBeGreaterThanOrEqual(365 * 86_400_000);
    expect(bought.effectiveDate).toBe(NOW);
    // Exchanges do not count toward the refund cap.
    const view = (await api.call('GET', `/v1/reservations/${id}`, { headers: { 'x-min-position': bought.position } }))
      .body;
    expect(view.quantity).toBe(1);
    expect(view.refundAllowance.usedUsd).toBe(allowanceBefore);

    const before = await api.countEvents();
    const tooLow = await api.call('POST', `/v1/reservations/${bought.reservationId}/exchange`, {
      body: { catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y', quantity: 1 },
      headers: newKey(),
    });
    expect({ status: tooLow.status, code: tooLow.body.code }).toEqual({ status: 422, code: 'EXCHANGE_VALUE_TOO_LOW' });
    expect(tooLow.body.details).toMatchObject({ newCommitmentUsd: 1_186.54 });
    expect(tooLow.body.details.returnedValueUsd).toBeGreaterThan(2_300);
    const otherGroup = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: { catalogItemId: 'ri-standard_e8s_v5-westeurope-p1y', quantity: 1 },
      headers: newKey(),
    });
    expect({ status: otherGroup.status, code: otherGroup.body.code }).toEqual({
      status: 422,
      code: 'EXCHANGE_NOT_ALLOWED',
    });
    const unknown = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: { catalogItemId: 'ri-nothing', quantity: 1 },
      headers: newKey(),
    });
    expect({ status: unknown.status, code: unknown.body.code }).toEqual({
      status: 404,
      code: 'CATALOG_ITEM_NOT_FOUND',
    });
    const invalid = await api.call('POST', `/v1/reservations/${id}/exchange`, {
      body: { catalogItemId: d8, quantity: 0 },
      headers: newKey(),
    });
    expect({ status: invalid.status, code: invalid.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    // A monthly reservation gives back the payments it will not make, not what it never paid: its first payment was taken.
    const monthly = await reservation({ quantity: 2, billingPlan: 'Monthly' });
    const monthlyTooLow = await api.call('POST', `/v1/reservations/${monthly}/exchange`, {
      body: { catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y', quantity: 1 },
      headers: newKey(),
    });
    expect({ status: monthlyTooLow.status, code: monthlyTooLow.body.code }).toEqual({
      status: 422,
      code: 'EXCHANGE_VALUE_TOO_LOW',
    });
    expect(monthlyTooLow.body.details.returnedValueUsd).toBeGreaterThan(1_800);
    expect(monthlyTooLow.body.details.returnedValueUsd).toBeLessThan(1_900);
    expect(await api.countEvents()).toBe(before + 4);
  });

  it('race: the same exchange sent twice at once exchanges once, and both answer the one reservation bought', async () => {
    const id = await reservation({ quantity: 2 });
    const body = { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 1 };
    const ifMatch = await etagOf(id);
    const answers = await Promise.all(
      [1, 2].map(() => api.call('POST', `/v1/reservations/${id}/exchange`, { body, headers: { 'if-match': ifMatch } })),
    );
    expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
    expect(answers[0].body.reservation.reservationId).toBe(answers[1].body.reservation.reservationId);
    const view = (
      await api.call('GET', `/v1/reservations/${id}`, {
        headers: { 'x-min-position': answers[0].body.reservation.position },
      })
    ).body;
    expect(view).toMatchObject({
      provisioningState: 'Exchanged',
      exchangedFor: answers[0].body.reservation.reservationId,
    });
    expect(view.history.filter((e: { type: string }) => e.type === 'ReservationExchanged')).toHaveLength(1);
  });

  it('sets auto-renew on and off', async () => {
    const id = await reservation();
    expect(
      (await api.call('PUT', `/v1/reservations/${id}/auto-renew`, { body: { autoRenew: true } })).body.autoRenew,
    ).toBe(true);
    expect((await api.call('PUT', `/v1/reservations/${id}/auto-renew`, { body: { autoRenew: 'yes' } })).status).toBe(
      400,
    );
    expect(
      (await api.call('PUT', `/v1/reservations/${id}/auto-renew`, { body: { autoRenew: false } })).body.autoRenew,
    ).toBe(false);
  });

  it("answers another partner's reservation with 404 on every route, writing nothing", async () => {
    const id = await reservation();
    const before = await api.countEvents();
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/v1/reservations/${id}`],
      ['GET', `/v1/reservations/${id}/refund-quote`],
      ['PUT', `/v1/reservations/${id}/scope`, { type: 'shared' }],
      ['POST', `/v1/reservations/${id}/split`, { quantities: [1, 2] }],
      ['PUT', `/v1/reservations/${id}/auto-renew`, { autoRenew: true }],
      ['POST', `/v1/reservations/${id}/cancel`],
      ['POST', `/v1/reservations/${id}/return`, { quantity: 1 }],
      ['POST', `/v1/reservations/${id}/exchange`, { catalogItemId: 'ri-standard_d8s_v5-westeurope-p1y', quantity: 1 }],
      ['POST', '/v1/reservations/merge', { reservationIds: [id, await reservation()] }],
    ];
    const afterSetup = await api.countEvents();
    for (const [method, path, body] of routes) {
      const answer = await api.call(method, path, { body, key: FABRIKAM_KEY, headers: newKey() });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({
        method,
        path,
        status: 404,
        code: 'RESERVATION_NOT_FOUND',
      });
    }
    expect(await api.countEvents()).toBe(afterSetup);
    expect(afterSetup).toBe(before + 4);
  });
});
