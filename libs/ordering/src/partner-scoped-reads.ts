import { Injectable } from '@nestjs/common';
import { Cart, cartDecider, cartStream, customerDecider, CustomerSnapshot, customerStream, notFound, OpenCart, Order, orderDecider, orderStream } from '@app/domain';
import { EventStreams, Folded } from '@app/eventstore';

type PlacedOrder = Exclude<Order, { status: 'none' }>;

/**
 * Loads a customer, cart or order for the partner asking. Another partner's
 * entity answers exactly like one that does not exist: 404, revealing nothing.
 */
@Injectable()
export class PartnerScopedReads {
  constructor(private readonly streams: EventStreams) {}

  async customer(customerId: string, partnerId: string): Promise<Folded<CustomerSnapshot>> {
    const { state, revision } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    if (state.status !== 'registered' || state.partnerId !== partnerId) throw notFound('CUSTOMER_NOT_FOUND', `customer ${customerId} not found`);
    return { state, revision };
  }

  async cart(cartId: string, partnerId: string): Promise<Folded<OpenCart>> {
    const { state, revision } = await this.streams.aggregate<Cart, never>(cartStream(cartId), cartDecider);
    if (state.status === 'none' || state.partnerId !== partnerId) throw notFound('CART_NOT_FOUND', `cart ${cartId} not found`);
    return { state, revision };
  }

  async order(orderId: string, partnerId: string): Promise<Folded<PlacedOrder>> {
    const { state, revision } = await this.streams.aggregate<Order, never>(orderStream(orderId), orderDecider);
    if (state.status === 'none' || state.partnerId !== partnerId) throw notFound('ORDER_NOT_FOUND', `order ${orderId} not found`);
    return { state, revision };
  }
}
