import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStoreDBClient, jsonEvent, WrongExpectedVersionError } from '@eventstore/db-client';
import { v5 as uuidv5 } from 'uuid';
import { cartDecider, cartStream, illegalState, OpenCart, Order, orderDecider, orderStream, PurchaseRecord } from '@app/domain';
import { EventStreams, metadataFor } from '@app/eventstore';
import { OrderNumbers, PartnerScopedReads } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { OrderResource } from '../../orders/order.resource';

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
 * copy of what was bought) before the order stream gets OrderPlaced. Both
 * steps are idempotent, so if the process dies between them any retry of the
 * purchase finishes the order from the cart's record.
 */
@CommandHandler(PurchaseOrderCommand)
export class PurchaseOrderHandler implements ICommandHandler<PurchaseOrderCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly reads: PartnerScopedReads,
    private readonly orderNumbers: OrderNumbers,
    private readonly client: EventStoreDBClient,
  ) {}

  async execute({ cartId, context }: PurchaseOrderCommand): Promise<{ order: OrderResource; created: boolean }> {
    const { state: cart } = await this.reads.cart(cartId, context.partnerId);
    if (context.idempotencyKey) await this.claimKey(context.idempotencyKey, cartId, context);

    let purchase = cart.purchase;
    let created = false;
    if (!purchase) {
      const { state: customer } = await this.reads.customer(cart.customerId, context.partnerId);
      const orderId = orderIdFor(cartId);
      const purchaseCommand = (orderNumber: string) => ({ type: 'PurchaseOrder' as const, data: { orderId, orderNumber, customer, now: context.now } });
      // Check every rule before an order number is spent on a purchase that would be refused.
      cartDecider.decide(purchaseCommand('unallocated'), cart);
      const orderNumber = await this.orderNumbers.allocate(orderId, context);
      const result = await this.streams.handle(cartStream(cartId), cartDecider, purchaseCommand(orderNumber), context, {
        expectedRevision: context.expectedRevision,
      });
      created = result.events.length > 0;
      purchase = (result.state as OpenCart).purchase!;
    }

    const placed = await this.streams.handle(orderStream(purchase.orderId), orderDecider, placeOrder(purchase, cart), context);
    return { order: OrderResource.of(placed.state as Exclude<Order, { status: 'none' }>, placed.revision, placed.position), created };
  }

  /**
   * An Idempotency-Key buys one cart. The first use is recorded in its own
   * stream; using the same key for another cart is refused.
   */
  private async claimKey(key: string, cartId: string, context: RequestContext): Promise<void> {
    const stream = `purchase-key-${uuidv5(`${context.partnerId}\n${key}`, NAMESPACE)}`;
    try {
      await this.client.appendToStream(stream, jsonEvent({ type: 'PurchaseKeyClaimed', data: { cartId }, metadata: { ...metadataFor(context) } }), {
        expectedRevision: 'no_stream',
      });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      const [claim] = await this.streams.readFirst<{ type: 'PurchaseKeyClaimed'; data: { cartId: string } }>(stream, 1);
      if (claim.data.cartId !== cartId) throw illegalState('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used to buy another cart');
    }
  }
}

function placeOrder(purchase: PurchaseRecord, cart: OpenCart) {
  const { purchasedAt, ...rest } = purchase;
  return {
    type: 'PlaceOrder' as const,
    data: { ...rest, customerId: cart.customerId, partnerId: cart.partnerId, now: purchasedAt },
  };
}
