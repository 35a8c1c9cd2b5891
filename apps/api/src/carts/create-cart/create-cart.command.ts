import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { cartDecider, cartStream, OpenCart } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { CART_CUSTOMER_MAX_AGE_MS, PartnerScopedReads } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { CartResource } from '../cart.resource';

export class CreateCartCommand extends Command<CartResource> {
  constructor(
    readonly customerId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(CreateCartCommand)
export class CreateCartHandler implements ICommandHandler<CreateCartCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly reads: PartnerScopedReads,
  ) {}

  async execute({ customerId, context }: CreateCartCommand): Promise<CartResource> {
    const { state: customer } = await this.reads.customer(customerId, context.partnerId, {
      maxAgeMs: CART_CUSTOMER_MAX_AGE_MS,
    });
    const cartId = context.newId(`cart/${customerId}`);
    const { state, revision, position } = await this.streams.handle(
      cartStream(cartId),
      cartDecider,
      { type: 'CreateCart', data: { cartId, customer, now: context.now } },
      context,
      { expectNew: true },
    );
    return CartResource.of(state as OpenCart, revision, context.now, position);
  }
}
