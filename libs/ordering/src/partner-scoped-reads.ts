import { Injectable } from '@nestjs/common';
import {
  ActiveReservation,
  Cart,
  CartCommand,
  cartDecider,
  cartStream,
  Customer,
  customerDecider,
  CustomerSnapshot,
  customerStream,
  DomainError,
  notFound,
  OpenCart,
  Order,
  PlacedOrder,
  Reservation,
} from '@app/domain';
import { EventStreams, Folded } from '@app/eventstore-client';

/**
 * How old a customer a cart command may decide on. A cart is no commitment:
 * the purchase checks every line and the scope again on a fresh read of the
 * customer, so a subscription suspended by another process meanwhile is
 * still refused there.
 */
export const CART_CUSTOMER_MAX_AGE_MS = 2_000;

/** The customer, if registered under the partner; otherwise 404. */
export function ownedCustomer(state: Customer, customerId: string, partnerId: string): CustomerSnapshot {
  if (state.status !== 'registered' || state.partnerId !== partnerId)
    throw notFound('CUSTOMER_NOT_FOUND', `customer ${customerId} not found`);
  return state;
}

/** The order, if placed by the partner; otherwise 404. */
export function ownedOrder(state: Order, orderId: string, partnerId: string): PlacedOrder {
  if (state.status === 'none' || state.partnerId !== partnerId)
    throw notFound('ORDER_NOT_FOUND', `order ${orderId} not found`);
  return state;
}

/** The reservation, whatever its state, if bought by the partner; otherwise 404. */
export function ownedReservation(state: Reservation, reservationId: string, partnerId: string): ActiveReservation {
  if (state.status === 'none' || state.partnerId !== partnerId)
    throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
  return state;
}

/** The cart, if it exists and belongs to the partner; otherwise 404. */
export function ownedCart(state: Cart, cartId: string, partnerId: string): OpenCart {
  if (state.status === 'none' || state.partnerId !== partnerId)
    throw notFound('CART_NOT_FOUND', `cart ${cartId} not found`);
  return state;
}

/**
 * Loads a customer or cart for the partner asking (write side). Another partner's
 * entity answers exactly like one that does not exist: 404, revealing nothing.
 */
@Injectable()
export class PartnerScopedReads {
  constructor(private readonly streams: EventStreams) {}

  /** The customer as now, or as this process knew it at most `maxAgeMs` ago (see EventStreams.recent). */
  async customer(
    customerId: string,
    partnerId: string,
    { maxAgeMs }: { maxAgeMs?: number } = {},
  ): Promise<Folded<CustomerSnapshot>> {
    const stream = customerStream(customerId);
    const { state, revision } =
      maxAgeMs === undefined
        ? await this.streams.aggregate(stream, customerDecider)
        : await this.streams.recent(stream, customerDecider, maxAgeMs);
    return { state: ownedCustomer(state, customerId, partnerId), revision };
  }

  /**
   * A cart command built on the customer as this process knew it up to
   * CART_CUSTOMER_MAX_AGE_MS ago, if the cart takes it. A refusal stands only
   * on the customer as it is now (a subscription added through another
   * process a moment ago), so the command is then built on a fresh read.
   */
  async cartCommand<Command extends CartCommand>(
    cart: OpenCart,
    partnerId: string,
    build: (customer: CustomerSnapshot) => Command,
  ): Promise<Command> {
    const onKept = build(
      (await this.customer(cart.customerId, partnerId, { maxAgeMs: CART_CUSTOMER_MAX_AGE_MS })).state,
    );
    try {
      cartDecider.decide(onKept, cart);
      return onKept;
    } catch (refusal) {
      if (!(refusal instanceof DomainError)) throw refusal;
    }
    return build((await this.customer(cart.customerId, partnerId)).state);
  }

  async cart(cartId: string, partnerId: string): Promise<Folded<OpenCart>> {
    const { state, revision } = await this.streams.aggregate<Cart, never>(cartStream(cartId), cartDecider);
    return { state: ownedCart(state, cartId, partnerId), revision };
  }
}
