import { randomUUID } from 'node:crypto';
import {
  foldReservation,
  legacyReservationStream,
  madeFrom,
  MigratedReservationStream,
  MigrateReservationStreams,
  orderDecider,
  Order,
  orderStream,
  ReservationEvent,
  reservationsOutsideOrder,
} from '@app/domain';
import { CommandContext, EventStore, EventStreams } from '@app/eventstore-client';

export interface MigrationOptions {
  /** Say what would be written, and write nothing. */
  dryRun: boolean;
  now: () => string;
  /** One line per order changed or left with a reservation it cannot find, and the tally. */
  report: (line: string) => void;
}

export interface MigrationTally {
  legacyStreams: number;
  orders: number;
  /** Orders migrated now (or, in a dry run, that would be). */
  migrated: string[];
}

const LEGACY_PREFIX = legacyReservationStream('');
const PAGE = 1_000;

/**
 * `npm run migrate:reservation-streams`: every order whose reservations
 * lived in streams of their own gets their events copied onto it, in one
 * ReservationStreamsMigrated decided on the order's revision. What the
 * order already holds is left alone, so a second run writes nothing, and a
 * run racing the order's own commands decides again on the newer order.
 */
export async function migrateReservationStreams(store: EventStore, options: MigrationOptions): Promise<MigrationTally> {
  const streams = new EventStreams(store);
  const { legacyStreams, orderIds } = await legacyStreamsInStore(store);
  const migrated: string[] = [];
  for (const orderId of orderIds) {
    const { state } = await streams.aggregate(orderStream(orderId), orderDecider);
    if (state.status === 'none') {
      options.report(`order ${orderId}: named by reservation streams, never placed; nothing to migrate into`);
      continue;
    }
    const now = options.now();
    if (options.dryRun) {
      const command = await migrationOf(streams, state, now, options);
      if (orderDecider.decide(command, state).length > 0) {
        migrated.push(orderId);
        options.report(`order ${orderId} (${state.orderNumber}): would copy ${described(command)}`);
      }
      continue;
    }
    const context: CommandContext = {
      correlationId: randomUUID(),
      commandId: `migrate-reservation-streams/${orderId}`,
      partnerId: state.partnerId,
      actor: 'operator/migrate-reservation-streams',
      now,
    };
    let command: MigrateReservationStreams | undefined;
    // Gathered on the order as the append finds it: a command racing the migration moves the order on, and it is gathered again.
    const handled = await streams.handle(
      orderStream(orderId),
      orderDecider,
      async (order) => (command = await migrationOf(streams, order, now, options)),
      context,
    );
    if (handled.events.length > 0) {
      migrated.push(orderId);
      options.report(`order ${orderId} (${state.orderNumber}): copied ${described(command!)}`);
    }
  }
  const verb = options.dryRun ? 'would be migrated' : 'migrated';
  options.report(
    `reservation streams of their own: ${legacyStreams}, orders they name: ${orderIds.length}, ${verb}: ${migrated.length}`,
  );
  return { legacyStreams, orders: orderIds.length, migrated };
}

/** The streams of their own in the store, and the orders their reservations were bought in, from one pass over $all. */
async function legacyStreamsInStore(store: EventStore): Promise<{ legacyStreams: number; orderIds: string[] }> {
  const legacy = new Set<string>();
  const orderIds = new Set<string>();
  for (let after: bigint | undefined; ;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    for (const event of page) {
      if (!event.streamId.startsWith(LEGACY_PREFIX)) continue;
      legacy.add(event.streamId);
      if (event.type === 'ReservationProvisioned') orderIds.add(event.data.orderId as string);
    }
    if (page.length < PAGE) return { legacyStreams: legacy.size, orderIds: [...orderIds] };
    after = page[page.length - 1].position;
  }
}

/**
 * The streams of their own of the reservations the order names and does not
 * hold, and of those they were split or merged into, as the order's loads
 * once followed them.
 */
async function migrationOf(
  streams: EventStreams,
  order: Order,
  now: string,
  options: Pick<MigrationOptions, 'report'>,
): Promise<MigrateReservationStreams> {
  const found: MigratedReservationStream[] = [];
  if (order.status === 'none') return { type: 'MigrateReservationStreams', data: { streams: found, now } };
  const seen = new Set(Object.keys(order.reservations));
  const queue = reservationsOutsideOrder(order);
  while (queue.length > 0) {
    const reservationId = queue.shift()!;
    if (seen.has(reservationId)) continue;
    seen.add(reservationId);
    const stream = {
      reservationId,
      events: await streams.events<ReservationEvent>(legacyReservationStream(reservationId)),
    };
    if (foldReservation(stream.events).status === 'none') {
      options.report(
        `order ${order.orderId} (${order.orderNumber}): reservation ${reservationId} has no stream of its own; left as it is`,
      );
      continue;
    }
    found.push(stream);
    queue.push(...madeFrom(stream));
  }
  return { type: 'MigrateReservationStreams', data: { streams: found, now } };
}

const described = ({ data: { streams } }: MigrateReservationStreams) =>
  `reservations ${streams.map((stream) => stream.reservationId).join(', ')} from their own streams (${streams.reduce((total, stream) => total + stream.events.length, 0)} events)`;
