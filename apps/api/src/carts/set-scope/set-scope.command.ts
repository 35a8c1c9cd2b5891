import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Scope } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { PartnerScopedReads } from '@app/ordering';
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
    return ownedCartStream(cartId, context).change(this.streams, context, (cart) =>
      this.reads.cartCommand(cart, context.partnerId, (customer) => ({
        type: 'SetScope' as const,
        data: { scope, customer, now: context.now },
      })),
    );
  }
}
