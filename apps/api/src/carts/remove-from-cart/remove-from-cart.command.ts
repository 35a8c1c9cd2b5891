import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CartResource, ownedCartStream } from '../cart.resource';

export class RemoveFromCartCommand extends Command<CartResource> {
  constructor(
    readonly cartId: string,
    readonly lineId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(RemoveFromCartCommand)
export class RemoveFromCartHandler implements ICommandHandler<RemoveFromCartCommand> {
  constructor(private readonly streams: EventStreams) {}

  execute({ cartId, lineId, context }: RemoveFromCartCommand): Promise<CartResource> {
    return ownedCartStream(cartId, context).change(this.streams, context, () => ({
      type: 'RemoveFromCart',
      data: { lineId, now: context.now },
    }));
  }
}
