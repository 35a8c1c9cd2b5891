/**
 * Reservations over years, walked as a partner's integration walks them: a
 * real api and a real worker on the sandbox clock, time moved only by
 * PUT /v1/sandbox/clock (each move runs the daily pass at every 00:05 it
 * crosses), the catalog changing on its dates. Payments fall on calendar
 * anniversaries, renewals are bought at expiry as their settings then say,
 * a SKU no longer sold fails its renewal, exchanges are money on both sides,
 * and the monthly statement lists each charge and credit. No instant here
 * depends on the day the test runs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Redis } from 'ioredis';
import { EventStoreConnection } from '@app/eventstore-client';
import { ApiHarness, FABRIKAM_KEY, startApi } from '../support/api-harness';
import { eventually } from '../support/eventually';
import { RunningProcess, startTsProcess } from '../support/processes';

jest.setTimeout(180_000);

const START = '2027-01-31T09:00:00.000Z';
const D4 = 'ri-standard_d4s_v5-westeurope-p1y'; // 1,186.54 a VM for a year
const D4_P3Y_PRICE = 2_260.08;
const D8 = 'ri-standard_d8s_v5-westeurope-p1y'; // 2,373.64
const D2_EAST = 'ri-standard_d2s_v5-eastus-p1y'; // 529.80, withdrawn from sale on 2027-12-01
type Line = {
  catalogItemId: string;
  quantity: number;
  billingPlan: 'Upfront' | 'Monthly';
  term?: 'P1Y' | 'P3Y';
  autoRenew?: boolean;
  subscriptionId?: string;
};

describe('reservations over years, on the sandbox clock', () => {
  let api: ApiHarness;
  let worker: RunningProcess;
  let customerId: string;
  let subscriptionId: string;
  /** Bills one reservation, and is suspended before it expires. */
  const billing = randomUUID();
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  const catalogChanges = join(dir, 'catalog-changes.json');
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    writeFileSync(
      catalogChanges,
      JSON.stringify([{ catalogItemId: D2_EAST, from: '2027-12-01T00:00:00Z', withdrawn: true }]),
    );
    const env = { SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: START, CATALOG_CHANGES_FILE: catalogChanges };
    api = await startApi(env);
    worker = startTsProcess('apps/worker/src/main.ts', {
      ...env,
      EVENTSTORE_URL: api.app.get(EventStoreConnection).connectionString,
      REDIS_KEY_PREFIX: api.app.get(Redis).options.keyPrefix!,
      RUN_PROJECTIONS: 'false',
      LOG_LEVEL: 'warn',
      PROVISIONING_LATENCY_MS: '0',
    });
    customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Renewals Ltd' } })).body.customerId;
    subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Production' },
    });
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId: billing, name: 'Billing' },
    });
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Buys the lines in one cart through the API; the reservations once the worker fulfilled them, in line order. */
  async function buy(lines: Line[]): Promise<string[]> {
    const cart = (await api.call('POST', `/v1/customers/${customerId}/carts`)).body.cartId;
    for (const line of lines) {
      const added = await api.call('POST', `/v1/carts/${cart}/items`, {
        body: { term: 'P1Y', subscriptionId, ...line },
      });
      expect(added.status).toBe(201);
    }
    const bought = await api.call('POST', `/v1/carts/${cart}/purchase`, {
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(bought.status).toBe(201);
    const order = await eventually(
      async () => {
        const answer = await api.call('GET', `/v1/orders/${bought.body.orderId}`, { consistent: false });
        return answer.body.status === 'completed' && answer.body;
      },
      30_000,
      () => worker.output(),
    );
    return order.reservationIds;
  }
  /** Moves the sandbox clock; its answer's position makes the reads after it see what the move did. */
  async function move(to: string) {
    const moved = await api.call('PUT', '/v1/sandbox/clock', { body: { now: to } });
    expect(moved.status).toBe(200);
    return moved.body;
  }
  const reservation = async (id: string) => (await api.call('GET', `/v1/reservations/${id}`)).body;
  const payments = async (id: string) => (await api.call('GET', `/v1/reservations/${id}/payments`)).body;
  const statement = async (month: string) =>
    (await api.call('GET', `/v1/customers/${customerId}/statements/${month}`)).body;
  const linesOf = (body: { lines: Array<{ reservationId: string }> }, id: string) =>
    body.lines.filter((line) => line.reservationId === id);

  it('bought on 31 January: the upfront price and the first monthly payment are lines of January’s statement', async () => {
    // An order has one billing plan: the monthly ones are bought on their own.
    [ids.monthly, ids.monthlyCancelled, ids.monthlySplit] = await buy([
      { catalogItemId: D4, quantity: 1, billingPlan: 'Monthly', autoRenew: true },
      { catalogItemId: D4, quantity: 1, billingPlan: 'Monthly', autoRenew: false },
      { catalogItemId: D4, quantity: 3, billingPlan: 'Monthly', autoRenew: false },
    ]);
    [ids.withdrawn, ids.toP3y, ids.offLastDay, ids.split, ids.exchanged, ids.billingSuspended] = await buy([
      { catalogItemId: D2_EAST, quantity: 2, billingPlan: 'Upfront', autoRenew: true },
      { catalogItemId: D4, quantity: 2, billingPlan: 'Upfront', autoRenew: true },
      { catalogItemId: D4, quantity: 1, billingPlan: 'Upfront', autoRenew: true },
      { catalogItemId: D4, quantity: 3, billingPlan: 'Upfront', autoRenew: false },
      { catalogItemId: D4, quantity: 2, billingPlan: 'Upfront', autoRenew: false },
      { catalogItemId: D4, quantity: 1, billingPlan: 'Upfront', autoRenew: true, subscriptionId: billing },
    ]);
    expect(await reservation(ids.monthly)).toMatchObject({
      effectiveDate: START,
      expiryDate: '2028-01-31T09:00:00.000Z',
    });
    const january = await statement('2027-01');
    expect(linesOf(january, ids.monthly)).toEqual([
      expect.objectContaining({
        kind: 'monthlyPayment',
        date: START,
        quantity: 1,
        amountUsd: 98.87,
        paymentNumber: 1,
        subscriptionId,
      }),
    ]);
    expect(linesOf(january, ids.toP3y)).toEqual([
      expect.objectContaining({ kind: 'purchase', quantity: 2, unitPriceUsd: 1_186.54, amountUsd: 2_373.08 }),
    ]);
    expect(january.lines).toHaveLength(9);
    // (1 + 1 + 3) × 98.87 + 2 × 529.80 + (2 + 1 + 3 + 2 + 1) × 1,186.54, one of them on the billing subscription
    expect(january.totals).toMatchObject({ creditsUsd: 0, chargesUsd: 12_232.81, netUsd: 12_232.81 });
    expect(january.totals.subscriptions).toEqual(
      [
        { subscriptionId: billing, chargesUsd: 1_186.54, creditsUsd: 0, netUsd: 1_186.54 },
        { subscriptionId, chargesUsd: 11_046.27, creditsUsd: 0, netUsd: 11_046.27 },
      ].sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
    );
    expect(january.closed).toBe(false);
  });

  it('pays on calendar anniversaries: 28 February, 31 March, 30 April (issue #26)', async () => {
    await move('2027-05-01T00:00:00.000Z');
    const { items } = await payments(ids.monthly);
    expect(items.slice(0, 5).map((p: { dueAt: string; status: string }) => [p.dueAt, p.status])).toEqual([
      ['2027-01-31T09:00:00.000Z', 'paid'],
      ['2027-02-28T09:00:00.000Z', 'paid'],
      ['2027-03-31T09:00:00.000Z', 'paid'],
      ['2027-04-30T09:00:00.000Z', 'paid'],
      ['2027-05-31T09:00:00.000Z', 'scheduled'],
    ]);
    // February's statement has its payment, dated the 28th; January is closed now and unchanged.
    expect(linesOf(await statement('2027-02'), ids.monthly)).toEqual([
      expect.objectContaining({ date: '2027-02-28T09:00:00.000Z', paymentNumber: 2 }),
    ]);
    const january = await statement('2027-01');
    expect(january).toMatchObject({ closed: true });
    expect(january.lines).toHaveLength(9);
  });

  it('a split of an upfront reservation pays nothing again: the parts list no payment, and the statement has no new charge (issue #26)', async () => {
    const split = await api.call('POST', `/v1/reservations/${ids.split}/split`, { body: { quantities: [1, 2] } });
    expect(split.status).toBe(201);
    for (const part of split.body.items) {
      expect(await payments(part.reservationId)).toMatchObject({ billingPlan: 'Upfront', paidUsd: 0, items: [] });
    }
    expect(await payments(ids.split)).toMatchObject({ paidUsd: 3 * 1_186.54 });
    expect((await statement('2027-05')).lines).toEqual([]);
  });

  it('an upfront exchange credits the prorated refund and charges the purchase in full, both on the statement (issue #26)', async () => {
    const quote = await api.call('POST', '/v1/exchanges/quote', {
      body: {
        customerId,
        returns: [{ reservationId: ids.exchanged, quantity: 1 }],
        purchase: { catalogItemId: D8, quantity: 1, billingPlan: 'Upfront' },
      },
    });
    expect(quote.status).toBe(200);
    const exchanged = await api.call('POST', `/v1/reservations/${ids.exchanged}/exchange`, {
      body: { catalogItemId: D8, quantity: 1, returnQuantity: 1, billingPlan: 'Upfront' },
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(exchanged.status).toBe(201);
    // 276 of 365 days remain on 2027-05-01 (89 whole days begun): ⌊118,654 × 276 / 365⌋ cents = 897.21, credited; 2,373.64 charged; the quote said the same.
    expect(exchanged.body).toMatchObject({
      refundUsd: 897.21,
      returnedValueUsd: 897.21,
      chargedNowUsd: 2_373.64,
      amountDueUsd: 1_476.43,
    });
    expect(quote.body).toMatchObject({ refundUsd: 897.21, chargedNowUsd: 2_373.64, amountDueUsd: 1_476.43 });
    const may = await statement('2027-05');
    expect(may.lines.map((line: { kind: string; amountUsd: number }) => [line.kind, line.amountUsd])).toEqual([
      ['exchangeRefund', -897.21],
      ['exchangePurchase', 2_373.64],
    ]);
    expect(may.totals).toMatchObject({ chargesUsd: 2_373.64, creditsUsd: 897.21, netUsd: 1_476.43 });
  });

  it('cancelling a monthly reservation stops its payments, refunds what was paid ahead, and counts the commitment cancelled toward the cap', async () => {
    // Four payments taken (31 Jan to 30 Apr); 276 of 365 days remain: ⌊118,654 × 276/365⌋ = 897.21 of commitment, 791.06 of it payments 5–12.
    const quote = (await api.call('GET', `/v1/reservations/${ids.monthlyCancelled}/refund-quote`)).body;
    expect(quote).toMatchObject({ countedTowardCapUsd: 897.21, cancelledFuturePaymentsUsd: 791.06, refundUsd: 106.15 });
    const cancelled = await api.call('POST', `/v1/reservations/${ids.monthlyCancelled}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await payments(ids.monthlyCancelled)).toMatchObject({
      paidUsd: 395.48,
      scheduledUsd: 0,
      cancelledUsd: 791.06,
    });
    expect((await reservation(ids.monthlyCancelled)).refundAllowance.usedUsd).toBe(897.21);
    expect(linesOf(await statement('2027-05'), ids.monthlyCancelled)).toEqual([
      expect.objectContaining({ kind: 'refund', amountUsd: -106.15, quantity: 1 }),
    ]);
    expect(
      (await api.call('GET', `/v1/reservations/${ids.monthlyCancelled}/payments`, { key: FABRIKAM_KEY })).status,
    ).toBe(404);
  });

  it('a monthly reservation split months into its term: the parts go on with its payments, nothing taken twice', async () => {
    const split = await api.call('POST', `/v1/reservations/${ids.monthlySplit}/split`, {
      body: { quantities: [1, 2] },
    });
    expect(split.status).toBe(201);
    const two = split.body.items[1].reservationId;
    await move('2027-06-01T00:00:00.000Z');
    const part = await payments(two);
    // Payments 5 to 12 of the original's schedule, for two VMs; the first four were the original's, for three.
    expect(
      part.items.map((p: { paymentNumber: number; dueAt: string; amountUsd: number; status: string }) => [
        p.paymentNumber,
        p.amountUsd,
        p.status,
      ]),
    ).toEqual([
      [5, 197.74, 'paid'],
      ...[6, 7, 8, 9, 10, 11].map((n) => [n, 197.74, 'scheduled']),
      [12, 197.94, 'scheduled'],
    ]);
    expect(part.items[0].dueAt).toBe('2027-05-31T09:00:00.000Z');
    expect(await payments(ids.monthlySplit)).toMatchObject({ paidUsd: 4 * 296.61, cancelledUsd: 0 });
  });

  it('falls back to shared when the single scope’s subscription is suspended, and says so', async () => {
    const [id] = await buy([{ catalogItemId: D4, quantity: 1, billingPlan: 'Upfront', autoRenew: false }]);
    const other = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId: other, name: 'Other' },
    });
    expect(
      (await api.call('PUT', `/v1/reservations/${id}/scope`, { body: { type: 'single', subscriptionId: other } }))
        .status,
    ).toBe(200);
    await api.call('POST', `/v1/customers/${customerId}/subscriptions/${other}/suspend`);
    const fellBack = await eventually(
      async () => {
        const state = await reservation(id);
        return state.scope.type === 'shared' && state;
      },
      30_000,
      () => worker.output(),
    );
    expect(fellBack.history.at(-1)).toMatchObject({
      type: 'ReservationScopeFellBack',
      detail: { fromSubscriptionId: other, reason: 'the subscription was suspended' },
    });
  });

  it('changed to P3Y after the price lock, the renewal is locked again at the P3Y price (issue #26)', async () => {
    await move('2028-01-10T12:00:00.000Z');
    // Locked 30 days before expiry (the pass of 2028-01-02 00:05) at the P1Y price.
    expect(await reservation(ids.toP3y)).toMatchObject({ renewalUnitPriceUsd: 1_186.54 });
    const changed = await api.call('PUT', `/v1/reservations/${ids.toP3y}/renewal`, { body: { term: 'P3Y' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      renewalSettings: { quantity: 2, term: 'P3Y', billingPlan: 'Upfront' },
      renewalUnitPriceUsd: D4_P3Y_PRICE,
    });
  });

  it('auto-renew turned off the day before expiry buys nothing (issue #26)', async () => {
    await api.call('POST', `/v1/customers/${customerId}/subscriptions/${billing}/suspend`);
    await move('2028-01-30T12:00:00.000Z');
    const off = await api.call('PUT', `/v1/reservations/${ids.offLastDay}/auto-renew`, { body: { autoRenew: false } });
    expect(off.status).toBe(200);
  });

  it('at expiry renews as the settings then say, with no gap, fails a SKU no longer sold with its reason, and bills each renewal its own term’s price', async () => {
    const moved = await move('2028-01-31T09:00:00.000Z');
    expect(moved.passes.at(-1)).toMatchObject({ at: '2028-01-31T09:00:00.000Z', renewed: 2, renewalsFailed: 2 });
    expect(await reservation(ids.billingSuspended)).toMatchObject({
      renewalFailure: { reason: `its billing subscription ${billing} is not active` },
    });
    const withdrawn = await reservation(ids.withdrawn);
    expect(withdrawn).toMatchObject({
      provisioningState: 'Expired',
      renewalFailure: { reason: 'Standard_D2s_v5 in eastus for P1Y is no longer sold' },
    });
    expect(await reservation(ids.offLastDay)).toMatchObject({ provisioningState: 'Expired', autoRenew: false });
    expect((await reservation(ids.offLastDay)).renewal).toBeUndefined();

    const renewals = (await api.call('GET', `/v1/customers/${customerId}/reservations?limit=100`)).body.items.filter(
      (r: { effectiveDate: string }) => r.effectiveDate === '2028-01-31T09:00:00.000Z',
    );
    expect(
      renewals
        .map((r: { catalogItemId: string; quantity: number; term: string }) => [r.catalogItemId, r.quantity, r.term])
        .sort(),
    ).toEqual([
      ['ri-standard_d4s_v5-westeurope-p1y', 1, 'P1Y'],
      ['ri-standard_d4s_v5-westeurope-p3y', 2, 'P3Y'],
    ]);
    ids.monthlyRenewal = renewals.find((r: { term: string }) => r.term === 'P1Y').reservationId;
    ids.p3yRenewal = renewals.find((r: { term: string }) => r.term === 'P3Y').reservationId;
    expect(await reservation(ids.p3yRenewal)).toMatchObject({
      expiryDate: '2031-01-31T09:00:00.000Z',
      autoRenew: true,
    });

    const january = await statement('2028-01');
    expect(linesOf(january, ids.p3yRenewal)).toEqual([
      expect.objectContaining({
        kind: 'renewalPurchase',
        date: '2028-01-31T09:00:00.000Z',
        quantity: 2,
        unitPriceUsd: D4_P3Y_PRICE,
        amountUsd: 2 * D4_P3Y_PRICE,
      }),
    ]);
    expect(linesOf(january, ids.monthlyRenewal)).toEqual([
      expect.objectContaining({ kind: 'monthlyPayment', paymentNumber: 1, amountUsd: 98.87 }),
    ]);
    // Nothing was bought for what did not renew.
    expect(january.lines.filter((line: { kind: string }) => line.kind === 'renewalPurchase')).toHaveLength(1);
  });

  it('turned on after expiry, auto-renew buys nothing backdated: refused (issue #26)', async () => {
    const late = await api.call('PUT', `/v1/reservations/${ids.offLastDay}/auto-renew`, { body: { autoRenew: true } });
    expect(late.status).toBe(422);
    expect(late.body.code).toBe('RESERVATION_EXPIRED');
  });

  it('gives the statement as CSV, the same lines, for a spreadsheet; another partner’s customer is 404', async () => {
    const response = await fetch(`${api.url}/v1/customers/${customerId}/statements/2028-01`, {
      headers: { 'x-api-key': 'demo-key-contoso', accept: 'text/csv' },
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await response.text()).trim().split('\n');
    expect(rows[0]).toBe(
      'date,kind,subscriptionId,reservationId,orderId,orderNumber,quantity,unitPriceUsd,amountUsd,paymentNumber,late,recordedAt,sourceStream,sourceRevision,sourceType,lineId',
    );
    expect(rows).toHaveLength((await statement('2028-01')).lines.length + 1);
    expect(
      (await api.call('GET', `/v1/customers/${customerId}/statements/2028-01`, { key: FABRIKAM_KEY })).status,
    ).toBe(404);
    const bad = await api.call('GET', `/v1/customers/${customerId}/statements/2028-13`);
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: 'INVALID_MONTH' });
  });

  it('renews the renewal again a year on: purchase to second renewal, every hour covered once', async () => {
    await move('2029-02-01T00:00:00.000Z');
    const chain = [ids.monthly, ids.monthlyRenewal];
    const second = (await api.call('GET', `/v1/customers/${customerId}/reservations?limit=100`)).body.items.find(
      (r: { effectiveDate: string; term: string }) =>
        r.effectiveDate === '2029-01-31T09:00:00.000Z' && r.term === 'P1Y',
    );
    expect(second).toBeDefined();
    chain.push(second.reservationId);
    const links = await Promise.all(chain.map(reservation));
    for (let i = 1; i < links.length; i++) expect(links[i].effectiveDate).toBe(links[i - 1].expiryDate);
    expect(links.map((r) => r.provisioningState)).toEqual(['Expired', 'Expired', 'Succeeded']);
    // Twelve payments a year, each renewal its own schedule: 24 taken by now, and the third's first.
    const paid = await Promise.all(
      chain.map(async (id) => (await payments(id)).items.filter((p: { status: string }) => p.status === 'paid').length),
    );
    expect(paid).toEqual([12, 12, 1]);
  });

  it('events it wrote hold the money the statements show', async () => {
    let charged = 0;
    for await (const { event } of api.app.get(EventStoreDBClient).readAll()) {
      if (event?.type === 'ReservationPaymentRecorded')
        charged += Math.round((event.data as { amountUsd: number }).amountUsd * 100);
    }
    let listed = 0;
    for (const month of [
      '2027-01',
      '2027-02',
      '2027-03',
      '2027-04',
      '2027-05',
      '2027-06',
      '2027-07',
      '2027-08',
      '2027-09',
      '2027-10',
      '2027-11',
      '2027-12',
    ].concat(
      ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map((m) => `2028-${m}`),
      ['2029-01', '2029-02'],
    )) {
      listed += Math.round((await statement(month)).totals.chargesUsd * 100);
    }
    expect(listed).toBe(charged);
  });
});
