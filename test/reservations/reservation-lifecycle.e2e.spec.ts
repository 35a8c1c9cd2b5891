/**
 * The daily lifecycle pass, run by a real worker process on the API's store
 * and Redis: it locks renewal prices 30 days before expiry, renews through
 * the ordering path (the renewal order is fulfilled like any other), and
 * expires what has ended. Running it again changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import { RESERVATION_LIFECYCLE_QUEUE, queuePrefix } from '@app/queues';
import { renewalOrderIdFor } from '@app/ordering';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { seedReservationOrder } from '../support/reservation-orders';
import { RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(90_000);
const DAY = 86_400_000;

describe('reservation lifecycle', () => {
  let api: ApiHarness;
  let worker: RunningProcess;
  let queue: Queue;
  let customerId: string;
  let subscriptionId: string;

  beforeAll(async () => {
    api = await startApi();
    const prefix = api.app.get(Redis).options.keyPrefix!;
    worker = startTsProcess('apps/worker/src/main.ts', {
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: prefix,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
      PROVISIONING_LATENCY_MS: '0',
    });
    queue = new Queue(RESERVATION_LIFECYCLE_QUEUE, { connection: { host: '127.0.0.1', port: 6379 }, prefix: queuePrefix(prefix) });
    customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Renewals Ltd' } })).body.customerId;
    subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId, name: 'Production' } });
  });
  afterAll(async () => {
    await queue?.close();
    await worker?.kill('SIGTERM');
    await api?.close();
  });

  async function reservation(expiresInMs: number, autoRenew: boolean, unitPriceUsd: number, billingSubscriptionId?: string): Promise<string> {
    const expiry = new Date(Date.now() + expiresInMs);
    const effective = new Date(expiry);
    effective.setUTCFullYear(effective.getUTCFullYear() - 1);
    const store = api.app.get(EventStoreDBClient);
    const { orderId, reservationIds } = await seedReservationOrder(store, { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] }, [
      {
        quantity: 2,
        scope: { type: 'single', subscriptionId },
        appliedSubscriptionIds: [subscriptionId],
        effectiveDate: effective.toISOString(),
        expiryDate: expiry.toISOString(),
        unitPriceUsd,
        ...(billingSubscriptionId ? { billingSubscriptionId } : {}),
      },
    ]);
    const [reservationId] = reservationIds;
    if (autoRenew)
      await store.appendToStream(
        `order-${orderId}`,
        jsonEvent({
          type: 'ReservationAutoRenewSet',
          data: { reservationId, autoRenew: true, setAt: effective.toISOString() },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            partnerId: 'partner-contoso',
            actor: 'partner-contoso/test',
            timestamp: effective.toISOString(),
          },
        }),
      );
    await eventually(async () => (await api.call('GET', `/v1/reservations/${reservationId}`, { consistent: false })).status === 200);
    return reservationId;
  }

  const view = async (id: string) => (await api.call('GET', `/v1/reservations/${id}`, { consistent: false })).body;
  /** A reservation once the view shows it in the state asked for; on a timeout, what it showed last. */
  const viewWhen = async (id: string, wanted: (state: any) => boolean): Promise<any> => {
    let last: any;
    return eventually(
      async () => {
        last = await view(id);
        return wanted(last) && last;
      },
      30_000,
      () => `reservation ${id} last seen as ${JSON.stringify(last)}`,
    );
  };
  const runPass = async () => {
    const job = await queue.add('now', { now: new Date().toISOString() });
    await eventually(
      async () => (await job.isCompleted()) || undefined,
      30_000,
      () => worker.output(),
    );
  };

  it('locks market prices, renews through a system purchase ahead of expiry with no gap, expires, and does it once', async () => {
    const renewing = await reservation(-DAY, true, 1_000);
    const ahead = await reservation(DAY, true, 1_000);
    const lockable = await reservation(10 * DAY, true, 1_500);
    const ending = await reservation(-3_600_000, false, 1_000);
    const distant = await reservation(40 * DAY, true, 1_000);

    await runPass();

    // Renewed at the market price (1,186.54, locked and current), not the 1,000 first paid, through an order the workers fulfil.
    const renewalOrderId = renewalOrderIdFor(renewing);
    const order = await eventually(
      async () => {
        const answer = await api.call('GET', `/v1/orders/${renewalOrderId}`, { consistent: false });
        return answer.status === 200 && answer.body.status === 'completed' && answer.body;
      },
      30_000,
      () => worker.output(),
    );
    expect(order).toMatchObject({
      customerId,
      totalUsd: 2_373.08,
      lines: [{ catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y', quantity: 2, unitPriceUsd: 1_186.54, subscriptionId }],
      scope: { type: 'single', subscriptionId },
    });
    expect(order.reservationIds).toHaveLength(1);
    const renewed = await viewWhen(renewing, (state) => state.provisioningState === 'Expired');
    expect(renewed.history.map((entry: { type: string }) => entry.type)).toEqual([
      'ReservationProvisioned',
      'ReservationAutoRenewSet',
      'ReservationRenewalPriceLocked',
      'ReservationRenewed',
      'ReservationExpired',
    ]);
    await viewWhen(order.reservationIds[0], (state) => state.provisioningState === 'Succeeded');

    expect((await viewWhen(lockable, (state) => state.renewalUnitPriceUsd !== undefined)).renewalUnitPriceUsd).toBe(1_186.54);
    expect((await view(lockable)).provisioningState).toBe('Succeeded');
    await viewWhen(ending, (state) => state.provisioningState === 'Expired');
    expect((await view(ending)).history.map((entry: { type: string }) => entry.type)).not.toContain('ReservationRenewed');
    expect((await view(distant)).history.map((entry: { type: string }) => entry.type)).toEqual(['ReservationProvisioned', 'ReservationAutoRenewSet']);

    // Bought a day ahead: the old one still applies, and the replacement takes effect the instant it expires.
    const aheadOrder = await eventually(
      async () => {
        const answer = await api.call('GET', `/v1/orders/${renewalOrderIdFor(ahead)}`, { consistent: false });
        return answer.status === 200 && answer.body.status === 'completed' && answer.body;
      },
      30_000,
      () => worker.output(),
    );
    const old = await view(ahead);
    expect(old.provisioningState).toBe('Succeeded');
    expect(old.renewal).toMatchObject({ orderId: renewalOrderIdFor(ahead), unitPriceUsd: 1_186.54 });
    // Bought, not yet in effect.
    const replacement = await viewWhen(aheadOrder.reservationIds[0], (state) => state.provisioningState === 'Pending');
    expect(replacement.effectiveDate).toBe(old.expiryDate);
    expect(replacement.autoRenew).toBe(true);

    const before = await api.countEvents();
    await runPass();
    expect(await api.countEvents()).toBe(before);
  });

  it('fails a renewal whose billing subscription is no longer active, and shows why on the reservation', async () => {
    const billing = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId: billing, name: 'Billing' } });
    await api.call('POST', `/v1/customers/${customerId}/subscriptions/${billing}/suspend`);
    const id = await reservation(DAY, true, 1_000, billing);
    await runPass();
    const failed = await viewWhen(id, (state) => state.renewalFailure !== undefined);
    expect(failed.renewalFailure.reason).toBe(`its billing subscription ${billing} is not active`);
    expect(failed.history.at(-1)).toMatchObject({ type: 'ReservationRenewalFailed' });
    expect((await api.call('GET', `/v1/orders/${renewalOrderIdFor(id)}`, { consistent: false })).status).toBe(404);
  });

  it('changes what the renewal buys until expiry', async () => {
    const id = await reservation(100 * DAY, true, 1_000);
    const changed = await api.call('PUT', `/v1/reservations/${id}/renewal`, { body: { quantity: 3, term: 'P3Y' } });
    expect(changed.status).toBe(200);
    expect(changed.body.renewalSettings).toEqual({ quantity: 3, term: 'P3Y', billingPlan: 'Upfront' });
    expect((await api.call('PUT', `/v1/reservations/${id}/renewal`, { body: { quantity: 0 } })).status).toBe(400);
    const expired = await reservation(-DAY, false, 1_000);
    const late = await api.call('PUT', `/v1/reservations/${expired}/renewal`, { body: { quantity: 3 } });
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 422, code: 'RESERVATION_EXPIRING' });
  });

  it('falls back to shared when the single scope’s subscription is suspended, and says so', async () => {
    const id = await reservation(200 * DAY, false, 1_000);
    const other = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, { body: { subscriptionId: other, name: 'Other' } });
    await api.call('PUT', `/v1/reservations/${id}/scope`, { body: { type: 'single', subscriptionId: other } });
    await eventually(async () => (await view(id)).scope.type === 'single');

    await api.call('POST', `/v1/customers/${customerId}/subscriptions/${other}/suspend`);
    const fellBack = await eventually(
      async () => {
        const state = await view(id);
        return state.scope.type === 'shared' && state;
      },
      30_000,
      () => worker.output(),
    );
    expect(fellBack.appliedSubscriptionIds).toEqual([subscriptionId]);
    expect(fellBack.history.at(-1)).toMatchObject({
      type: 'ReservationScopeFellBack',
      detail: { fromSubscriptionId: other, reason: 'the subscription was suspended' },
    });
  });

  it('takes a monthly reservation’s payments as they fall due, and its cancellation stops the rest, counting them toward the cap', async () => {
    // A year of one D4s_v5 at USD 1,200, bought 65 days ago and billed monthly: 12 payments of 100.
    const effective = new Date(Date.now() - 65 * DAY);
    const expiry = new Date(effective);
    expiry.setUTCFullYear(expiry.getUTCFullYear() + 1);
    const store = api.app.get(EventStoreDBClient);
    const {
      reservationIds: [id],
    } = await seedReservationOrder(store, { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] }, [
      { quantity: 1, billingPlan: 'Monthly', unitPriceUsd: 1_200, effectiveDate: effective.toISOString(), expiryDate: expiry.toISOString() },
    ]);
    await viewWhen(id, (state) => state.quantity === 1);
    await runPass();
    await runPass(); // a second pass the same day takes nothing more
    const payments = await eventually(async () => {
      const answer = await api.call('GET', `/v1/reservations/${id}/payments`, { consistent: false });
      return answer.body.paidUsd === 300 && answer.body;
    });
    expect(payments).toMatchObject({ billingPlan: 'Monthly', totalUsd: 1_200, paidUsd: 300, scheduledUsd: 900, cancelledUsd: 0 });
    expect(payments.items).toHaveLength(12);
    expect(payments.items.slice(0, 4).map((p: { status: string; amountUsd: number }) => [p.status, p.amountUsd])).toEqual([
      ['paid', 100],
      ['paid', 100],
      ['paid', 100],
      ['scheduled', 100],
    ]);
    expect((await view(id)).history.filter((e: { type: string }) => e.type === 'ReservationPaymentRecorded')).toHaveLength(3);

    // 300 of 365 days remain: the commitment cancelled is 1,200 × 300/365 = 986.30 at the purchase price, 900 of it future payments.
    const quote = (await api.call('GET', `/v1/reservations/${id}/refund-quote`)).body;
    expect(quote).toMatchObject({ countedTowardCapUsd: 986.3, cancelledFuturePaymentsUsd: 900 });
    // The 86.30 paid ahead comes back at today’s lower price (1,186.54 of 1,200).
    expect(quote.refundUsd).toBe(Math.floor(8_630 * (1_186.54 / 1_200)) / 100);
    const cancelled = await api.call('POST', `/v1/reservations/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    const after = await viewWhen(id, (state) => state.provisioningState === 'Cancelled');
    expect(after.refundAllowance.usedUsd).toBeGreaterThanOrEqual(986.3);
    const stopped = (await api.call('GET', `/v1/reservations/${id}/payments`, { headers: { 'x-min-position': cancelled.body.position } })).body;
    expect(stopped).toMatchObject({ paidUsd: 300, scheduledUsd: 0, cancelledUsd: 900 });
    expect((await api.call('GET', `/v1/reservations/${id}/payments`, { key: FABRIKAM_KEY })).status).toBe(404);
  });
  it('a monthly reservation split months into its term: the parts go on with its payments, and nothing is taken twice', async () => {
    // Three D4s_v5 for a year at USD 1,200 a unit, bought 65 days ago and billed monthly: 300 a month, three paid so far.
    const effective = new Date(Date.now() - 65 * DAY);
    const expiry = new Date(effective);
    expiry.setUTCFullYear(expiry.getUTCFullYear() + 1);
    const {
      reservationIds: [id],
    } = await seedReservationOrder(api.app.get(EventStoreDBClient), { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] }, [
      { quantity: 3, billingPlan: 'Monthly', unitPriceUsd: 1_200, effectiveDate: effective.toISOString(), expiryDate: expiry.toISOString() },
    ]);
    await viewWhen(id, (state) => state.quantity === 3);
    await runPass();
    await viewWhen(id, (state) => state.history.filter((e: { type: string }) => e.type === 'ReservationPaymentRecorded').length === 3);

    const split = await api.call('POST', `/v1/reservations/${id}/split`, { body: { quantities: [1, 2] } });
    expect(split.status).toBe(201);
    const two = split.body.items[1].reservationId;
    await runPass(); // the parts owe nothing more this month
    const payments = (await api.call('GET', `/v1/reservations/${two}/payments`, { headers: { 'x-min-position': split.body.items[1].position } })).body;
    // Payments 4 to 12 of the original's schedule, for two units; the first three were the original's.
    expect(payments).toMatchObject({ billingPlan: 'Monthly', totalUsd: 1_800, paidUsd: 0, scheduledUsd: 1_800 });
    expect(payments.items.map((p: { paymentNumber: number; amountUsd: number }) => [p.paymentNumber, p.amountUsd])).toEqual(
      [4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => [n, 200]),
    );
    const firstDue = new Date(effective);
    firstDue.setUTCMonth(firstDue.getUTCMonth() + 3);
    expect(payments.items[0].dueAt).toBe(firstDue.toISOString());
    const part = await view(two);
    expect(part.history.filter((e: { type: string }) => e.type === 'ReservationPaymentRecorded')).toHaveLength(0);
    // The original's months after the split went on in its parts: transferred, not cancelled.
    const original = (await api.call('GET', `/v1/reservations/${id}/payments`, { headers: { 'x-min-position': split.body.items[1].position } })).body;
    expect(original).toMatchObject({ paidUsd: 900, cancelledUsd: 0, transferredUsd: 2_700 });
  });
});
