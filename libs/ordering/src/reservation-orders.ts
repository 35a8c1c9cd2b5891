import { Injectable } from '@nestjs/common';
import {
  ActiveReservation,
  illegalState,
  notFound,
  OpenCart,
  Order,
  OrderCommand,
  orderDecider,
  OrderEvent,
  OrderPlacedData,
  orderStream,
  PlacedOrder,
  Reservation,
  reservationDecider,
} from '@app/domain';
import { CommandContext, Commands, EventStreams, Folded, Handled, HandleOptions } from '@app/eventstore-client';
import { ReservationLocator } from './reservation-locator';

/** Streams in which reservations lived on their own, before the reservation order held them. */
const legacyReservationStream = (reservationId: string) => `reservation-${reservationId}`;

/** An OrderPlaced as a job carries it: JSON, so the revision is a number. */
export interface PlacedEvent {
  data: OrderPlacedData;
  revision: number;
  /** The version its data was stored at (absent: 1), so that it is upcast like a read one. */
  schemaVersion?: number;
}

/**
 * The reservation order stream, loaded and changed as one aggregate. A
 * reservation is found through the locator (which order holds it never
 * changes), and the order is then read from the store, so every decision is
 * made on the order's current revision.
 */
@Injectable()
export class ReservationOrders {
  constructor(
    private readonly streams: EventStreams,
    private readonly locator: ReservationLocator,
  ) {}

  /** Completes a folded order with its reservations kept in the older per-reservation streams. */
  readonly hydrate = (state: Order): Promise<Order> => this.withLegacyReservations(state);

  /** The reservation order holding a reservation of this partner; 404 otherwise. */
  async locate(reservationId: string, partnerId: string): Promise<string> {
    const place = await this.locator.orderOf(reservationId);
    if (!place || place.partnerId !== partnerId) throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
    return place.orderId;
  }

  async load(orderId: string): Promise<Folded<Order>> {
    return this.streams.aggregate(orderStream(orderId), orderDecider, this.hydrate);
  }

  /** The order as its OrderPlaced event left it, known without a read; the first command on it proves it current. */
  assumePlaced(placed: PlacedEvent): Promise<Folded<Order>> {
    const event = { type: 'OrderPlaced', data: placed.data, metadata: { schemaVersion: placed.schemaVersion } };
    return this.streams.assume(orderStream(placed.data.orderId), orderDecider, { events: [event], revision: BigInt(placed.revision) }, this.hydrate);
  }

  handle(
    orderId: string,
    command: Commands<OrderCommand> | ((order: Order) => Commands<OrderCommand> | Promise<Commands<OrderCommand>>),
    context: CommandContext,
    options: HandleOptions<Order> = {},
  ): Promise<Handled<Order, OrderEvent>> {
    return this.streams.handle(orderStream(orderId), orderDecider, command, context, { ...options, hydrate: this.hydrate });
  }

  /**
   * The order a purchased cart becomes, placed from the cart's own record of
   * the purchase; placing it again changes nothing. `expectNew` when the
   * caller just purchased the cart, so the order is most likely not there yet.
   */
  placeFromCart(cart: OpenCart, context: CommandContext, options: Pick<HandleOptions, 'expectNew'> = {}): Promise<Handled<Order, OrderEvent>> {
    if (!cart.purchase) throw illegalState('CART_NOT_PURCHASED', `cart ${cart.cartId} has not been purchased`);
    const { purchasedAt, ...purchase } = cart.purchase;
    return this.handle(
      purchase.orderId,
      { type: 'PlaceOrder', data: { ...purchase, customerId: cart.customerId, partnerId: cart.partnerId, now: purchasedAt } },
      context,
      options,
    );
  }

  /**
   * Orders fulfilled before the reservation order held its reservations name
   * them in OrderCompleted, each in a stream of its own (and any split or
   * merge made more such streams). Those are folded in, read-only: from now on
   * every change is decided and written on the order stream, and the changes
   * written there since (which the order's fold kept aside) go on top.
   */
  private async withLegacyReservations(state: Order): Promise<Order> {
    if (state.status === 'none') return state;
    const missing = [...state.reservationIds, ...Object.keys(state.awaiting ?? {})].filter((id) => !state.reservations[id]);
    if (missing.length === 0) return state;
    const reservations = { ...state.reservations };
    const queue = [...missing];
    while (queue.length > 0) {
      const reservationId = queue.shift()!;
      if (reservations[reservationId]) continue;
      const { state: legacy } = await this.streams.aggregate(legacyReservationStream(reservationId), reservationDecider);
      if (legacy.status === 'none') continue;
      reservations[reservationId] = (state.awaiting?.[reservationId] ?? []).reduce(reservationDecider.evolve, legacy as Reservation) as ActiveReservation;
      queue.push(...(legacy.splitInto?.map((part) => part.reservationId) ?? []), ...(legacy.mergedInto ? [legacy.mergedInto] : []));
    }
    const awaiting = Object.fromEntries(Object.entries(state.awaiting ?? {}).filter(([reservationId]) => !reservations[reservationId]));
    return { ...state, reservations, awaiting } satisfies PlacedOrder;
  }
}
