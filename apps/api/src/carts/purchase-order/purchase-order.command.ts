import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { cartDecider, cartStream, OpenCart, PlacedOrder } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { OrderNumbers, PartnerScopedReads, ReservationOrders } from '@app/ordering';
import { crashPoint } from '@app/runtime';
import { RequestContext } from '../../http/request-context';
import { OrderResource } from '../../http/openapi/order.resource';

const NAMESPACE = '3d0c8f3e-5a9b-4f7e-8c21-7b6e2a1d4f90';

/** The order a cart becomes: one per cart, whoever asks and however often. */
export const orderIdFor = (cartId: string) => uuidv5(`order/${cartId}`, NAMESPACE);

export class PurchaseOrderCommand extends Command<{ order: OrderResource; created: boolean }> {
  constructor(
    readonly cartId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Checkout. The cart stream records the purchase (CartPurchased, with a full
 * copy of what was bought, and the order number) before the order stream
 * gets OrderPlaced. If the process dies between the two, the purchase
 * completion reactor places the order from the cart's record; a repeated
 * purchase answers the same order.
 */
@CommandHandler(PurchaseOrderCommand)
export class PurchaseOrderHandler implements ICommandHandler<PurchaseOrderCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly reads: PartnerScopedReads,
    private readonly orderNumbers: OrderNumbers,
    private readonly orders: ReservationOrders,
  ) {}

  async execute({ cartId, context }: PurchaseOrderCommand): Promise<{ order: OrderResource; created: boolean }> {
    // Read, not kept: a purchase decides on the cart as it is, so no order number is spent on one that would be refused.
    let { state: cart } = await this.reads.cart(cartId, context.partnerId);
    let created = false;
    if (!cart.purchase) {
      const { state: customer } = await this.reads.customer(cart.customerId, context.partnerId);
      const orderId = orderIdFor(cartId);
      const purchaseCommand = (orderNumber: string) => ({
        type: 'PurchaseOrder' as const,
        data: { orderId, orderNumber, customer, now: context.now },
      });
      // Check every rule before an order number is spent on a purchase that would be refused.
      cartDecider.decide(purchaseCommand('unallocated'), cart);
      // A number spent on a purchase that then loses a race is a gap; the cart records the one the order keeps.
      const orderNumber = await this.orderNumbers.allocate(orderId, context);
      // Decided on the fold just read, so no second read; its revision proves the cart unchanged since.
      const result = await this.streams.handle(cartStream(cartId), cartDecider, purchaseCommand(orderNumber), context, {
        expectedRevision: context.expectedRevision,
      });
      created = result.events.length > 0;
      cart = result.state as OpenCart;
      crashPoint('purchase:after-cart');
    }
    const placed = await this.orders.placeFromCart(cart, context, { expectNew: created });
    return { order: OrderResource.of(placed.state as PlacedOrder, placed.revision, placed.position), created };
  }
}
