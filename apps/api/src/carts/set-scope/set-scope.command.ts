import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Scope } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { CART_CUSTOMER_MAX_AGE_MS, PartnerScopedReads } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { CartResource, ownedCartStream } from '../cart.resource';

export class SetScopeCommand extends Command<CartResource> {
  constructor(
    readonly cartId: string,
    readonly scope: Scope,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(SetScopeCommand)
export class SetScopeHandler implements ICommandHandler<SetScopeCommand> {
  constructor(
    private readonly streams: EventStreams,
    private readonly reads: PartnerScopedReads,
  ) {}

  execute({ cartId, scope, context }: SetScopeCommand): Promise<CartResource> {
    return ownedCartStream(cartId, context).change(this.streams, context, async (cart) => {
      const { state: customer } = await this.reads.customer(cart.customerId, context.partnerId, { maxAgeMs: CART_CUSTOMER_MAX_AGE_MS });
      return { type: 'SetScope', data: { scope, customer, now: context.now } };
    });
  }
}
