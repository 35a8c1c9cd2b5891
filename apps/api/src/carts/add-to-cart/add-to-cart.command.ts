import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { BillingPlan, Catalog, Term } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { PartnerScopedReads } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { CartResource, ownedCartStream } from '../cart.resource';

export interface CartItemRequest {
  catalogItemId: string;
  quantity: number;
  subscriptionId: string;
  term: Term;
  billingPlan: BillingPlan;
  autoRenew?: boolean;
}

export class AddToCartCommand extends Command<CartResource> {
  constructor(
    readonly cartId: string,
    readonly item: CartItemRequest,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(AddToCartCommand)
export class AddToCartHandler implements ICommandHandler<AddToCartCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly reads: PartnerScopedReads,
    private readonly catalog: Catalog,
  ) {}

  execute({ cartId, item, context }: AddToCartCommand): Promise<CartResource> {
    return ownedCartStream(cartId, context).change(this.streams, context, (cart) =>
      this.reads.cartCommand(cart, context.partnerId, (customer) => ({
        type: 'AddToCart' as const,
        data: {
          ...item,
          lineId: context.newId(`line/${cartId}`),
          item: this.catalog.get(item.catalogItemId, context.now),
          customer,
          now: context.now,
        },
      })),
    );
  }
}
