import { Injectable } from '@nestjs/common';
import {
  illegalState,
  notFound,
  OpenCart,
  Order,
  OrderCommand,
  orderDecider,
  OrderEvent,
  OrderPlacedData,
  orderStream,
} from '@app/domain';
import { CommandContext, Commands, EventStreams, Folded, Handled, HandleOptions } from '@app/eventstore-client';
import { ReservationLocator } from './reservation-locator';

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

  /** The reservation order holding a reservation of this partner; 404 otherwise. */
  async locate(reservationId: string, partnerId: string): Promise<string> {
    const place = await this.locator.orderOf(reservationId);
    if (!place || place.partnerId !== partnerId)
      throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
    return place.orderId;
  }

  async load(orderId: string): Promise<Folded<Order>> {
    return this.streams.aggregate(orderStream(orderId), orderDecider);
  }

  /** The order as its OrderPlaced event left it, known without a read; the first command on it proves it current. */
  assumePlaced(placed: PlacedEvent): Promise<Folded<Order>> {
    const event = { type: 'OrderPlaced', data: placed.data, metadata: { schemaVersion: placed.schemaVersion } };
    return this.streams.assume(orderStream(placed.data.orderId), orderDecider, {
      events: [event],
      revision: BigInt(placed.revision),
    });
  }

  handle(
    orderId: string,
    command: Commands<OrderCommand> | ((order: Order) => Commands<OrderCommand> | Promise<Commands<OrderCommand>>),
    context: CommandContext,
    options: HandleOptions = {},
  ): Promise<Handled<Order, OrderEvent>> {
    return this.streams.handle(orderStream(orderId), orderDecider, command, context, options);
  }

  /**
   * The order a purchased cart becomes, placed from the cart's own record of
   * the purchase; placing it again changes nothing. `expectNew` when the
   * caller just purchased the cart, so the order is most likely not there yet.
   */
  placeFromCart(
    cart: OpenCart,
    context: CommandContext,
    options: Pick<HandleOptions, 'expectNew'> = {},
  ): Promise<Handled<Order, OrderEvent>> {
    if (!cart.purchase) throw illegalState('CART_NOT_PURCHASED', `cart ${cart.cartId} has not been purchased`);
    const { purchasedAt, ...purchase } = cart.purchase;
    return this.handle(
      purchase.orderId,
      {
        type: 'PlaceOrder',
        data: { ...purchase, customerId: cart.customerId, partnerId: cart.partnerId, now: purchasedAt },
      },
      context,
      options,
    );
  }
}
