/**
 * npm run migrate:reservation-streams against the embedded store through the
 * official client: an order completed before the reservation order held its
 * reservations, with their streams of their own (one split there), and
 * changes written on the order stream since. Migrated, the order reads as
 * the load-time folding of those streams read it; migrated again, nothing
 * is written.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import {
  ActiveReservation,
  legacyReservationStream,
  Order,
  orderDecider,
  OrderEvent,
  orderStream,
  PlacedOrder,
  Reservation,
  reservationDecider,
  ReservationEvent,
} from '@app/domain';
import { EsdbEventStore, EventStore, EventStreams } from '@app/eventstore-client';
import { EmbeddedEventStore } from '@app/eventstore-server';
import { migrateReservationStreams } from '@app/ordering';
import { orderLine, orderPlaced, provisionedOrder } from '../../libs/domain/testing/order.fixture';
import { provisionedReservation } from '../../libs/domain/testing/reservation.fixture';
import { startTsProcess } from '../support/processes';

jest.setTimeout(60_000);

const bought = '2026-03-02T09:00:00.000Z';
const later = '2026-09-14T15:00:00.000Z';
const expiryDate = '2027-03-02T09:00:00.000Z';

/**
 * The folding every order load did until the migration replaced it
 * (ReservationOrders' hydrate): the order's reservations kept in streams of
 * their own, following splits and merges, with what the order kept aside on
 * top. Kept here as the reference the migrated order must match.
 */
async function foldedAtLoad(streams: EventStreams, orderId: string): Promise<Order> {
  const { state } = await streams.aggregate(orderStream(orderId), orderDecider);
  if (state.status === 'none') return state;
  const missing = [...state.reservationIds, ...Object.keys(state.awaiting ?? {})].filter(
    (id) => !state.reservations[id],
  );
  if (missing.length === 0) return state;
  const reservations = { ...state.reservations };
  const queue = [...missing];
  while (queue.length > 0) {
    const reservationId = queue.shift()!;
    if (reservations[reservationId]) continue;
    const { state: legacy } = await streams.aggregate(legacyReservationStream(reservationId), reservationDecider);
    if (legacy.status === 'none') continue;
    reservations[reservationId] = (state.awaiting?.[reservationId] ?? []).reduce(
      reservationDecider.evolve,
      legacy as Reservation,
    ) as ActiveReservation;
    queue.push(
      ...(legacy.splitInto?.map((part) => part.reservationId) ?? []),
      ...(legacy.mergedInto ? [legacy.mergedInto] : []),
    );
  }
  const awaiting = Object.fromEntries(
    Object.entries(state.awaiting ?? {}).filter(([reservationId]) => !reservations[reservationId]),
  );
  return { ...state, reservations, awaiting } satisfies PlacedOrder;
}

describe('npm run migrate:reservation-streams', () => {
  let dataDir: string;
  let embedded: EmbeddedEventStore;
  let client: EventStoreDBClient;
  let store: EventStore;

  const append = (stream: string, events: Array<OrderEvent | ReservationEvent>) =>
    client.appendToStream(
      stream,
      events.map(({ type, data }) =>
        jsonEvent({
          type,
          data: { ...data },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            partnerId: 'p-1',
            actor: 'p-1/seed',
            timestamp: bought,
          },
        }),
      ),
    );

  const reservation = (reservationId: string, quantity: number, lineNumber = 1) =>
    provisionedReservation({
      reservationId,
      orderId: 'o-legacy',
      lineNumber,
      quantity,
      effectiveDate: bought,
      expiryDate,
    });

  /**
   * o-legacy named r-old and r-two only in OrderCompleted, and r-gone, whose
   * stream is lost; r-old was rescoped and split into r-a and r-b in streams
   * of their own. Since then the order stream took r-two's auto-renew off,
   * and split r-b into r-b1 and r-b2. o-current holds its reservation itself.
   */
  async function seedLegacyHistory() {
    const placed = orderPlaced({
      orderId: 'o-legacy',
      lines: [1, 2, 3].map((n) => orderLine(n, { lineId: `l-${n}` })),
      placedAt: bought,
    });
    await append(orderStream('o-legacy'), [
      { type: 'OrderPlaced', data: placed },
      {
        type: 'OrderCompleted',
        data: { orderId: 'o-legacy', reservationIds: ['r-old', 'r-two', 'r-gone'], completedAt: bought },
      },
    ]);
    const into = [
      { reservationId: 'r-a', quantity: 1 },
      { reservationId: 'r-b', quantity: 2 },
    ];
    await append(legacyReservationStream('r-old'), [
      { type: 'ReservationProvisioned', data: reservation('r-old', 3) },
      {
        type: 'ReservationScopeChanged',
        data: {
          reservationId: 'r-old',
          customerId: 'c-1',
          scope: { type: 'single', subscriptionId: 's-1' },
          appliedSubscriptionIds: ['s-1'],
          changedAt: bought,
        },
      },
      { type: 'ReservationSplit', data: { reservationId: 'r-old', into, splitAt: bought } },
    ]);
    for (const { reservationId, quantity } of into) {
      await append(legacyReservationStream(reservationId), [
        {
          type: 'ReservationProvisioned',
          data: { ...reservation(reservationId, quantity), origin: { type: 'split', reservationIds: ['r-old'] } },
        },
      ]);
    }
    await append(legacyReservationStream('r-two'), [
      { type: 'ReservationProvisioned', data: { ...reservation('r-two', 2, 2), autoRenew: true } },
    ]);
    const parts = [
      { reservationId: 'r-b1', quantity: 1 },
      { reservationId: 'r-b2', quantity: 1 },
    ];
    await append(orderStream('o-legacy'), [
      { type: 'ReservationAutoRenewSet', data: { reservationId: 'r-two', autoRenew: false, setAt: later } },
      { type: 'ReservationSplit', data: { reservationId: 'r-b', into: parts, splitAt: later } },
      ...parts.map(({ reservationId, quantity }): OrderEvent => ({
        type: 'ReservationProvisioned',
        data: {
          ...reservation(reservationId, quantity),
          effectiveDate: later,
          origin: { type: 'split', reservationIds: ['r-b'] },
        },
      })),
    ]);
    const current = orderPlaced({ orderId: 'o-current', placedAt: bought });
    await append(
      orderStream('o-current'),
      provisionedOrder(current, [provisionedReservation({ reservationId: 'r-current', orderId: 'o-current' })]),
    );
  }

  const events = async () => {
    const all: string[] = [];
    for await (const resolved of client.readAll()) all.push(`${resolved.event!.streamId} ${resolved.event!.type}`);
    return all;
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'migrate-reservation-streams-'));
    embedded = await EmbeddedEventStore.start({ dataDir });
    client = EventStoreDBClient.connectionString(embedded.connectionString);
    store = new EsdbEventStore(client);
    await seedLegacyHistory();
  });

  afterEach(async () => {
    await client.dispose();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('gives the order the state the load-time folding gave it, and writes nothing more when run again', async () => {
    const before = await foldedAtLoad(new EventStreams(store), 'o-legacy');
    expect(Object.keys(before.status === 'none' ? {} : before.reservations).sort()).toEqual([
      'r-a',
      'r-b',
      'r-b1',
      'r-b2',
      'r-old',
      'r-two',
    ]);
    const stored = await events();
    const lines: string[] = [];
    const run = (dryRun: boolean) =>
      migrateReservationStreams(store, {
        dryRun,
        now: () => '2026-12-01T08:00:00.000Z',
        report: (line) => lines.push(line),
      });

    expect((await run(true)).migrated).toEqual(['o-legacy']);
    expect(await events()).toEqual(stored);
    expect(lines).toContain(
      'order o-legacy (RO-2026-000001): would copy reservations r-old, r-two, r-b, r-a from their own streams (6 events)',
    );

    lines.length = 0;
    expect(await run(false)).toEqual({ legacyStreams: 4, orders: 1, migrated: ['o-legacy'] });
    expect(await events()).toEqual([...stored, 'order-o-legacy ReservationStreamsMigrated']);
    expect(lines).toContain(
      'order o-legacy (RO-2026-000001): reservation r-gone has no stream of its own; left as it is',
    );
    // A process that never saw the order reads it from its own stream alone.
    const { state } = await new EventStreams(store).aggregate(orderStream('o-legacy'), orderDecider);
    expect(state).toEqual(before);

    const after = await events();
    expect((await run(false)).migrated).toEqual([]);
    expect((await run(true)).migrated).toEqual([]);
    expect(await events()).toEqual(after);
  });

  it('runs as an operator command on the apps’ configuration: --dry-run, the migration, then a second run that writes nothing', async () => {
    const command = async (...args: string[]) => {
      const proc = startTsProcess(
        'tools/migrate-reservation-streams.ts',
        { EVENTSTORE_URL: embedded.connectionString },
        args,
      );
      expect(await proc.exited).toBe(0);
      return proc.output();
    };
    const stored = await events();
    expect(await command('--dry-run')).toContain(
      'reservation streams of their own: 4, orders they name: 1, would be migrated: 1',
    );
    expect(await events()).toEqual(stored);
    expect(await command()).toContain('order o-legacy (RO-2026-000001): copied reservations r-old, r-two, r-b, r-a');
    expect(await command()).toContain('orders they name: 1, migrated: 0');
    expect(await events()).toEqual([...stored, 'order-o-legacy ReservationStreamsMigrated']);
  });
});
