import { Injectable } from '@nestjs/common';
import { Clock } from '@app/clock';
import { cartDecider, orderStream, PurchaseRecord } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { ProjectedEvent, Reactor } from '@app/projections';
import { causedBy } from '../caused-by';

/**
 * Purchase spans the cart and the order: CartPurchased records, on the cart,
 * everything that was bought; the order stream then gets OrderPlaced. The API
 * places the order right away; this places it when the API died in between,
 * so a purchased cart always becomes an order without the client retrying.
 */
@Injectable()
export class PurchaseCompletionReactor implements Reactor {
  readonly name = 'purchase-completion';
  readonly eventTypes = ['CartPurchased'] as const;

  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
    private readonly clock: Clock,
  ) {}

  async react(event: ProjectedEvent): Promise<void> {
    // Nearly always the api placed it already: one short read says so.
    if ((await this.streams.readFirst(orderStream((event.data as PurchaseRecord).orderId), 1)).length > 0) return;
    const { state: cart } = await this.streams.aggregate(event.streamId, cartDecider);
    if (cart.status !== 'purchased') return;
    await this.orders.placeFromCart(
      cart,
      causedBy(event, 'system/purchase-completion', 'place-order', await this.clock.now()),
    );
  }
}
