import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { CartResource, ownedCartStream } from '../cart.resource';

export class ChangeQuantityCommand extends Command<CartResource> {
  constructor(
    readonly cartId: string,
    readonly lineId: string,
    readonly quantity: number,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(ChangeQuantityCommand)
export class ChangeQuantityHandler implements ICommandHandler<ChangeQuantityCommand> {
  constructor(private readonly streams: EventStreams) {}

  execute({ cartId, lineId, quantity, context }: ChangeQuantityCommand): Promise<CartResource> {
    return ownedCartStream(cartId, context).change(this.streams, context, () => ({
      type: 'ChangeQuantity',
      data: { lineId, quantity, now: context.now },
    }));
  }
}
