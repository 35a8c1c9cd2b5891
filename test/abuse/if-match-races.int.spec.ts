/**
 * If-Match is a promise: a command sent with the revision it was decided on
 * happens at that revision or not at all (409 STALE_REVISION), however the
 * requests interleave. A return and a cancellation record their refund on
 * the customer's ledger first and change the reservation order second; the
 * If-Match revision goes with the refund into the order's append, so a
 * return that lost the race leaves nothing behind: its refund is reversed
 * and does not count toward the cap. Real app, real store, real Redis.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import { Clock } from '@app/clock';
import { RefundSettlement } from '@app/ordering';
import { RefundSettlementReactor } from '@app/reactors';
import { ApiHarness, HttpAnswer, startApi } from '../support/api-harness';
import { seedReservationOrder } from '../support/reservation-orders';

jest.setTimeout(120_000);

const ROUNDS = 8;
/** The sandbox clock's day: before the exchange policy of 2027-02-01, so the exchange is one the reservation may make on any date the suite runs. */
const NOW = '2026-11-05T10:00:00.000Z';
const D8 = 'ri-standard_d8s_v5-westeurope-p1y';

describe('If-Match holds under any interleaving', () => {
  let api: ApiHarness;
  let store: EventStoreDBClient;

  beforeAll(async () => {
    api = await startApi({ SANDBOX_CLOCK: 'true', SANDBOX_CLOCK_START: NOW });
    store = api.app.get(EventStoreDBClient);
  });
  afterAll(() => api?.close());

  /** A customer of its own (so its refund cap starts at zero) holding one reservation order. */
  async function order(...quantities: number[]) {
    const customerId = (await api.call('POST', '/v1/customers', { body: { name: 'Contoso Race Ltd' } })).body
      .customerId as string;
    const subscriptionId = randomUUID();
    await api.call('POST', `/v1/customers/${customerId}/subscriptions`, {
      body: { subscriptionId, name: 'Production' },
    });
    const seeded = await seedReservationOrder(
      store,
      { customerId, partnerId: 'partner-contoso', subscriptionIds: [subscriptionId] },
      quantities.map((quantity) => ({ quantity })),
      NOW,
    );
    const read = await api.call('GET', `/v1/reservations/${seeded.reservationIds[0]}`, {
      headers: { 'x-min-position': String(seeded.position) },
    });
    return { customerId, subscriptionId, ...seeded, ifMatch: read.headers.get('etag')! };
  }

  async function events(stream: string): Promise<Array<{ type: string; data: any }>> {
    const found: Array<{ type: string; data: any }> = [];
    try {
      for await (const { event } of store.readStream(stream)) found.push({ type: event!.type, data: event!.data });
    } catch {
      // no such stream: nothing written
    }
    return found;
  }

  /** Refunds recorded and not reversed: what counts toward the cap. */
  async function openRefunds(customerId: string): Promise<number> {
    const ledger = await events(`refund-ledger-${customerId}`);
    const reversed = new Set(ledger.filter((e) => e.type === 'RefundReversed').map((e) => e.data.cancellationId));
    return ledger.filter((e) => e.type === 'RefundRecorded' && !reversed.has(e.data.cancellationId)).length;
  }

  const outcome = (answer: HttpAnswer) => (answer.status < 300 ? 'made' : `${answer.status} ${answer.body.code}`);

  it(`a return and an exchange sent at once with one If-Match: exactly one is made, in each of ${ROUNDS} rounds`, async () => {
    const rounds: string[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { customerId, orderId, reservationIds, ifMatch } = await order(3);
      const [id] = reservationIds;
      const headers = { 'if-match': ifMatch };
      const [returned, exchanged] = await Promise.all([
        api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers }),
        api.call('POST', `/v1/reservations/${id}/exchange`, {
          body: { catalogItemId: D8, quantity: 1, returnQuantity: 1 },
          headers,
        }),
      ]);
      const outcomes = [outcome(returned), outcome(exchanged)];
      rounds.push(outcomes);
      const changes = (await events(`order-${orderId}`)).filter((e) =>
        ['ReservationQuantityReturned', 'ReservationExchanged'].includes(e.type),
      );
      // The loser left nothing: one change on the order, and a refund that counts only if the return won.
      expect({ outcomes: outcomes.sort(), changes: changes.length }).toEqual({
        outcomes: ['409 STALE_REVISION', 'made'],
        changes: 1,
      });
      expect(await openRefunds(customerId)).toBe(returned.status === 200 ? 1 : 0);
    }
    expect(rounds).toHaveLength(ROUNDS);
  });

  it(`a cancellation or a return racing a change of another reservation of the order, with one If-Match: exactly one is made, in each of ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { customerId, subscriptionId, orderId, reservationIds, ifMatch } = await order(2, 2);
      const [id, sibling] = reservationIds;
      const headers = { 'if-match': ifMatch };
      // The sibling stays active whoever wins, so only the revision can refuse the return.
      const [returned, changed] = await Promise.all([
        round % 2 === 0
          ? api.call('POST', `/v1/reservations/${id}/cancel`, { headers })
          : api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers }),
        api.call('PUT', `/v1/reservations/${sibling}/scope`, { body: { type: 'single', subscriptionId }, headers }),
      ]);
      expect([outcome(returned), outcome(changed)].sort()).toEqual(['409 STALE_REVISION', 'made']);
      const written = (await events(`order-${orderId}`)).filter((e) =>
        ['ReservationCancelled', 'ReservationQuantityReturned', 'ReservationScopeChanged'].includes(e.type),
      );
      expect(written).toHaveLength(1);
      expect(await openRefunds(customerId)).toBe(returned.status === 200 ? 1 : 0);
      if (returned.status === 409) {
        // Nothing counts toward the cap: the quote sees the whole allowance.
        const quote = await api.call('GET', `/v1/reservations/${id}/refund-quote`);
        expect(quote.body.allowance.usedUsd).toBe(0);
        expect(returned.body.currentRevision).toBe(changed.headers.get('etag')!.replace(/"/g, ''));
      }
    }
  });

  it('a stale return its api left half done (refund recorded, then the process died) is reversed by the settlement reactor, not made', async () => {
    const { customerId, subscriptionId, orderId, reservationIds, ifMatch } = await order(2, 2);
    const [id, sibling] = reservationIds;
    const revision = Number(ifMatch.replace(/"/g, ''));
    // What a return sent with If-Match leaves on the ledger when its api dies right after recording it (CRASH_AT=cancel:after-ledger).
    const cancellationId = `${id}/return-at-${revision}`;
    const recorded = jsonEvent({
      type: 'RefundRecorded',
      data: {
        customerId,
        cancellationId,
        reservationId: id,
        orderId,
        amountUsd: 900,
        kind: 'return',
        quantity: 1,
        expectedOrderRevision: revision,
        refundedAt: new Date(await api.app.get(Clock).now()).toISOString(),
      },
      metadata: {
        correlationId: randomUUID(),
        causationId: randomUUID(),
        partnerId: 'partner-contoso',
        actor: 'partner-contoso/test',
        timestamp: new Date().toISOString(),
      },
    });
    const appended = await store.appendToStream(`refund-ledger-${customerId}`, recorded);
    // Meanwhile another change of the order, decided on the same revision, got there first.
    const changed = await api.call('PUT', `/v1/reservations/${sibling}/scope`, {
      body: { type: 'single', subscriptionId },
      headers: { 'if-match': ifMatch },
    });
    expect(changed.status).toBe(200);

    const reactor = new RefundSettlementReactor(api.app.get(RefundSettlement), api.app.get(Clock));
    const event = {
      id: recorded.id,
      type: 'RefundRecorded',
      data: recorded.data,
      metadata: recorded.metadata as Record<string, unknown>,
      streamId: `refund-ledger-${customerId}`,
      revision: 0,
      position: appended.position!.commit,
      created: new Date(),
    };
    await reactor.react(event);
    // Settled once is settled: a second delivery changes nothing.
    await reactor.react(event);

    const written = await events(`order-${orderId}`);
    expect(written.filter((e) => e.type === 'ReservationQuantityReturned')).toHaveLength(0);
    const ledger = await events(`refund-ledger-${customerId}`);
    expect(ledger.map((e) => e.type)).toEqual(['RefundRecorded', 'RefundReversed']);
    expect(ledger[1].data.cancellationId).toBe(cancellationId);
    const read = await api.call('GET', `/v1/reservations/${id}`, {
      headers: { 'x-min-position': changed.headers.get('x-position')! },
    });
    expect(read.body).toMatchObject({ quantity: 2, provisioningState: 'Succeeded' });
    expect(read.body.refundAllowance.usedUsd).toBe(0);
  });

  it('a return sent again with the If-Match it was made at answers as made while that is still the revision, then 409', async () => {
    const { customerId, reservationIds, ifMatch } = await order(3);
    const [id] = reservationIds;
    const both = await Promise.all(
      [1, 2, 3].map(() =>
        api.call('POST', `/v1/reservations/${id}/return`, { body: { quantity: 1 }, headers: { 'if-match': ifMatch } }),
      ),
    );
    expect(both.map(outcome)).toEqual(['made', 'made', 'made']);
    expect(new Set(both.map((answer) => answer.headers.get('etag'))).size).toBe(1);
    const late = await api.call('POST', `/v1/reservations/${id}/return`, {
      body: { quantity: 1 },
      headers: { 'if-match': ifMatch },
    });
    expect(outcome(late)).toBe('409 STALE_REVISION');
    expect(await openRefunds(customerId)).toBe(1);
  });

  it('refuses If-Match, writing nothing, on every command no one revision guards, rather than ignore it', async () => {
    const { customerId, reservationIds } = await order(2);
    const exchange = {
      customerId,
      returns: [{ reservationId: reservationIds[0] }],
      purchase: { catalogItemId: D8, quantity: 1 },
    };
    const usage = {
      records: [
        {
          customerId,
          subscriptionId: randomUUID(),
          resourceId: 'vm-1',
          region: 'westeurope',
          vmSize: 'Standard_D4s_v5',
          hour: '2026-06-01T10:00:00Z',
          quantity: 1,
          payAsYouGoRateUsd: 0.192,
        },
      ],
    };
    const routes: Array<[string, string, unknown?]> = [
      ['POST', '/v1/customers', { name: 'Contoso Elsewhere' }],
      ['POST', `/v1/customers/${customerId}/carts`],
      ['PUT', `/v1/customers/${customerId}/contact`, { name: 'Jane Doe', email: 'jane.doe@contoso.example' }],
      ['DELETE', `/v1/customers/${customerId}/personal-data`],
      ['POST', '/v1/exchanges', exchange],
      ['POST', '/v1/exchanges/quote', exchange],
      ['PUT', '/v1/sandbox/clock', { now: '2030-01-01T00:00:00Z' }],
      ['POST', '/v1/usage', usage],
    ];
    const before = await api.countEvents();
    for (const [method, path, body] of routes) {
      const answer = await api.call(method, path, {
        body,
        headers: { 'if-match': '"0"', 'idempotency-key': randomUUID() },
      });
      expect({ method, path, status: answer.status, code: answer.body.code }).toEqual({
        method,
        path,
        status: 400,
        code: 'IF_MATCH_NOT_SUPPORTED',
      });
    }
    expect(await api.countEvents()).toBe(before);
  });
});
