import { Injectable } from '@nestjs/common';
import {
  ActiveReservation,
  Cart,
  cartDecider,
  cartStream,
  Customer,
  customerDecider,
  CustomerSnapshot,
  customerStream,
  notFound,
  OpenCart,
  Order,
  Reservation,
} from '@app/domain';
import { EventStreams, Folded } from '@app/eventstore-client';

type PlacedOrder = Exclude<Order, { status: 'none' }>;

/** The customer, if registered under the partner; otherwise 404. */
export function ownedCustomer(state: Customer, customerId: string, partnerId: string): CustomerSnapshot {
  if (state.status !== 'registered' || state.partnerId !== partnerId) throw notFound('CUSTOMER_NOT_FOUND', `customer ${customerId} not found`);
  return state;
}

/** The order, if placed by the partner; otherwise 404. */
export function ownedOrder(state: Order, orderId: string, partnerId: string): PlacedOrder {
  if (state.status === 'none' || state.partnerId !== partnerId) throw notFound('ORDER_NOT_FOUND', `order ${orderId} not found`);
  return state;
}

/** The reservation, whatever its state, if bought by the partner; otherwise 404. */
export function ownedReservation(state: Reservation, reservationId: string, partnerId: string): ActiveReservation {
  if (state.status === 'none' || state.partnerId !== partnerId) throw notFound('RESERVATION_NOT_FOUND', `reservation ${reservationId} not found`);
  return state;
}

/** The cart, if it exists and belongs to the partner; otherwise 404. */
export function ownedCart(state: Cart, cartId: string, partnerId: string): OpenCart {
  if (state.status === 'none' || state.partnerId !== partnerId) throw notFound('CART_NOT_FOUND', `cart ${cartId} not found`);
  return state;
}

/**
 * Loads a customer or cart for the partner asking (write side). Another partner's
 * entity answers exactly like one that does not exist: 404, revealing nothing.
 */
@Injectable()
export class PartnerScopedReads {
  constructor(private readonly streams: EventStreams) {}

  async customer(customerId: string, partnerId: string): Promise<Folded<CustomerSnapshot>> {
    const { state, revision } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    return { state: ownedCustomer(state, customerId, partnerId), revision };
  }

  async cart(cartId: string, partnerId: string): Promise<Folded<OpenCart>> {
    const { state, revision } = await this.streams.aggregate<Cart, never>(cartStream(cartId), cartDecider);
    return { state: ownedCart(state, cartId, partnerId), revision };
  }
}
