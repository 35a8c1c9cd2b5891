import { FixedClock } from '@app/clock';
import { Catalog, catalogItemId, fold, orderDecider, OrderEvent, OrderPlacedData, PlacedOrder } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { orderLine, orderPlaced } from '../../domain/testing/order.fixture';
import { InMemoryReservationLocator } from '../../ordering/testing/in-memory-ordering';
import { context, given, givenCustomer, inMemoryOrdering } from '../../ordering/testing/in-memory-ordering';
import { OrderFulfilment, reservationIdFor } from './order-fulfilment';
import {
  PermanentProvisioningError,
  ProvisionRequest,
  ReservationProvisioner,
  TransientProvisioningError,
} from './provisioning/reservation-provisioner';

const catalog = Catalog.shipped();
const clock = new FixedClock('2026-11-25T10:00:00.000Z');

/** The provisioning port as a spec scripts it: per SKU, succeed or fail. */
class ScriptedProvisioner extends ReservationProvisioner {
  readonly calls: string[] = [];
  constructor(private readonly script: Record<string, 'ok' | 'permanent' | 'transient'> = {}) {
    super();
  }
  async provision(request: ProvisionRequest) {
    this.calls.push(request.reservationId);
    const outcome = this.script[request.armSkuName] ?? 'ok';
    if (outcome === 'permanent')
      throw new PermanentProvisioningError('800017', `quantity not available: ${request.armSkuName}`);
    if (outcome === 'transient') throw new TransientProvisioningError('busy');
    return { reservationId: request.reservationId, effectiveDate: '2026-11-25T10:01:00.000Z' };
  }
}

async function placed(skus: string[]) {
  const ordering = inMemoryOrdering();
  await givenCustomer(ordering.store);
  const lines = skus.map((sku, i) => {
    const item = catalog.get(catalogItemId(sku, 'eastus', 'P1Y'), '2026-11-25T10:00:00.000Z')!;
    return orderLine(i + 1, {
      lineId: `l-${i}`,
      catalogItemId: item.id,
      armSkuName: sku,
      region: 'eastus',
      quantity: 2,
      unitPriceUsd: item.unitPriceUsd,
    });
  });
  const placed = orderPlaced({ partnerId: 'partner-contoso', lines });
  await given(ordering.store, 'order-o-1', [{ type: 'OrderPlaced', data: placed }]);
  const run = (provisioner: ReservationProvisioner, carried?: 'placed carried by the job') =>
    new OrderFulfilment(ordering.orders, ordering.streams, provisioner, ordering.catalog, ordering.clock).fulfil({
      orderId: 'o-1',
      placedEventId: 'placed-1',
      correlationId: 'corr',
      partnerId: 'partner-contoso',
      placed: carried ? { data: placed, revision: 0 } : undefined,
    });
  const order = async () =>
    fold(
      orderDecider,
      (await ordering.store.readStream('order-o-1')).map((e) => ({ type: e.type, data: e.data }) as OrderEvent),
    ) as PlacedOrder;
  return { ...ordering, run, order };
}

describe('OrderFulfilment (on the in-memory store)', () => {
  it('provisions every line on the order stream and completes the order, in two appends: the starts, then the outcomes with the end', async () => {
    const { run, order, store } = await placed(['Standard_D2s_v5', 'Standard_D4s_v5']);
    const appends: string[][] = [];
    const append = store.appendToStream.bind(store);
    store.appendToStream = (stream, events, expected) => {
      appends.push(events.map((event) => event.type));
      return append(stream, events, expected);
    };
    expect(await run(new ScriptedProvisioner())).toBe('completed');
    expect(appends).toEqual([
      ['OrderLineProvisioningStarted', 'OrderLineProvisioningStarted'],
      // Each upfront reservation's payment is taken as it is recorded.
      [
        'ReservationProvisioned',
        'ReservationPaymentRecorded',
        'ReservationProvisioned',
        'ReservationPaymentRecorded',
        'OrderCompleted',
      ],
    ]);
    expect((await order()).reservationIds).toEqual([reservationIdFor('o-1', 1), reservationIdFor('o-1', 2)]);
  });

  it('ends partiallyFulfilled when a later line fails for good, keeping the first', async () => {
    const { run, order } = await placed(['Standard_D2s_v5', 'Standard_L32s_v3']);
    expect(await run(new ScriptedProvisioner({ Standard_L32s_v3: 'permanent' }))).toBe('partiallyFulfilled');
    const state = await order();
    expect(state.status).toBe('partiallyFulfilled');
    expect(state.lines.map((l) => l.provisioning.status)).toEqual(['provisioned', 'failed']);
  });

  it('leaves the order pending and the line provisioning on a transient failure; a retry goes on where it stopped', async () => {
    const { run, order } = await placed(['Standard_D2s_v5', 'Standard_L16s_v3']);
    await expect(run(new ScriptedProvisioner({ Standard_L16s_v3: 'transient' }))).rejects.toThrow(
      TransientProvisioningError,
    );
    expect((await order()).lines.map((l) => l.provisioning.status)).toEqual(['provisioned', 'provisioning']);
    const retry = new ScriptedProvisioner();
    expect(await run(retry)).toBe('completed');
    // The provisioned line is not asked for again; the started one is, with the same reservation id (the port is idempotent by it).
    expect(retry.calls).toEqual([reservationIdFor('o-1', 2)]);
  });

  it('race: an order cancelled before its first line started is left alone', async () => {
    const { run, orders, store } = await placed(['Standard_D2s_v5']);
    await orders.handle(
      'o-1',
      { type: 'CancelOrder', data: { reason: 'changed mind', now: '2026-11-25T10:00:30.000Z' } },
      context(),
    );
    const provisioner = new ScriptedProvisioner();
    expect(await run(provisioner)).toBe('skipped');
    expect(provisioner.calls).toEqual([]);
    expect((await store.readStream('order-o-1')).map((e) => e.type)).toEqual(['OrderPlaced', 'OrderCancelled']);
  });

  it('decides on the OrderPlaced the job carries, without reading the order first', async () => {
    const { run, store, order } = await placed(['Standard_D2s_v5']);
    const reads = jest.spyOn(store, 'readStream');
    expect(await run(new ScriptedProvisioner(), 'placed carried by the job')).toBe('completed');
    expect(reads.mock.calls.map(([stream]) => stream)).toEqual(['customer-c-1']);
    expect((await order()).status).toBe('completed');
  });

  it('race: an order cancelled after its job was queued is left alone, though the job carries it as pending', async () => {
    const { orders, store } = await placed(['Standard_D2s_v5']);
    await orders.handle(
      'o-1',
      { type: 'CancelOrder', data: { reason: 'changed mind', now: '2026-11-25T10:00:30.000Z' } },
      context(),
    );
    const fresh = await placed(['Standard_D2s_v5']); // another process: nothing of this order kept in memory
    await given(fresh.store, 'order-o-1', [
      (await store.readStream('order-o-1')).map((e) => ({ type: e.type, data: e.data }) as OrderEvent)[1],
    ]);
    const provisioner = new ScriptedProvisioner();
    expect(await fresh.run(provisioner, 'placed carried by the job')).toBe('skipped');
    expect(provisioner.calls).toEqual([]);
    expect((await fresh.store.readStream('order-o-1')).map((e) => e.type)).toEqual(['OrderPlaced', 'OrderCancelled']);
  });

  it('retry: a job carrying its OrderPlaced, run again after the order moved on, goes on from where the order is (not from the OrderPlaced)', async () => {
    // Found under faults: the retry's first append repeated the first attempt's (same ids, same assumed revision), the store took it
    // for a repeat and said yes, and the retry went on from the OrderPlaced, provisioning a line that had failed for good.
    const { store, order, streams } = await placed(['Standard_L32s_v3', 'Standard_L16s_v3']);
    const job = { orderId: 'o-1', placedEventId: 'placed-1', correlationId: 'corr', partnerId: 'partner-contoso' };
    const placedEvent = {
      data: (await store.readStream('order-o-1'))[0].data as unknown as OrderPlacedData,
      revision: 0,
    };
    const first = new OrderFulfilment(
      new ReservationOrders(streams, new InMemoryReservationLocator(store)),
      streams,
      new ScriptedProvisioner({ Standard_L32s_v3: 'permanent', Standard_L16s_v3: 'transient' }),
      catalog,
      clock,
    );
    await expect(first.fulfil({ ...job, placed: placedEvent })).rejects.toThrow(TransientProvisioningError);
    expect((await order()).lines.map((l) => l.provisioning.status)).toEqual(['failed', 'provisioning']);

    // The retry, in another worker process: nothing of the order in memory, and the same job data.
    const again = new EventStreams(store);
    const retry = new ScriptedProvisioner();
    const outcome = await new OrderFulfilment(
      new ReservationOrders(again, new InMemoryReservationLocator(store)),
      again,
      retry,
      catalog,
      clock,
    ).fulfil({
      ...job,
      placed: placedEvent,
    });
    expect(outcome).toBe('partiallyFulfilled');
    expect(retry.calls).toEqual([reservationIdFor('o-1', 2)]);
    expect((await order()).lines.map((l) => l.provisioning.status)).toEqual(['failed', 'provisioned']);
  });

  it('starts a renewal line’s reservation when the one it replaces expires, and bills the line’s subscription', async () => {
    const ordering = inMemoryOrdering();
    await givenCustomer(ordering.store);
    const item = catalog.get(catalogItemId('Standard_D2s_v5', 'eastus', 'P1Y'), '2026-11-25T10:00:00.000Z')!;
    const expiry = '2026-12-01T10:25:00.000Z';
    const line = orderLine(1, {
      lineId: 'l',
      catalogItemId: item.id,
      armSkuName: 'Standard_D2s_v5',
      region: 'eastus',
      quantity: 1,
      unitPriceUsd: 1,
      autoRenew: true,
      effectiveFrom: expiry,
    });
    const placed = orderPlaced({
      orderId: 'o-9',
      orderNumber: 'RO-9',
      cartId: 'r-old',
      partnerId: 'partner-contoso',
      lines: [line],
      placedAt: '2026-11-29T00:05:00.000Z',
    });
    await given(ordering.store, 'order-o-9', [{ type: 'OrderPlaced', data: placed }]);
    await new OrderFulfilment(
      ordering.orders,
      ordering.streams,
      new ScriptedProvisioner(),
      ordering.catalog,
      ordering.clock,
    ).fulfil({
      orderId: 'o-9',
      placedEventId: 'p-9',
      correlationId: 'c',
      partnerId: 'partner-contoso',
    });
    const provisioned = (await ordering.store.readStream('order-o-9')).find(
      (e) => e.type === 'ReservationProvisioned',
    )!;
    expect(provisioned.data).toMatchObject({
      effectiveDate: expiry,
      expiryDate: '2027-12-01T10:25:00.000Z',
      autoRenew: true,
      billingSubscriptionId: 's-1',
    });
  });

  it('fails an order whose subscription is no longer active, before any line starts', async () => {
    const { run, order, store } = await placed(['Standard_D2s_v5']);
    await given(store, 'customer-c-1', [
      {
        type: 'SubscriptionSuspended',
        data: { customerId: 'c-1', subscriptionId: 's-1', suspendedAt: '2026-11-25T10:00:10.000Z' },
      },
    ]);
    expect(await run(new ScriptedProvisioner())).toBe('failed');
    expect((await order()).timeline.at(-1)?.reason).toBe(
      'subscription s-1 is no longer active; the order cannot be provisioned',
    );
  });
});
