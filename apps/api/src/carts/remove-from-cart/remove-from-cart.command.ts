import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { RequestContext } from '../../http/request-context';
import { changeCart } from '../cart-command';
import { CartResource } from '../cart.resource';

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
    return changeCart(this.streams, cartId, context, () => ({ type: 'RemoveFromCart', data: { lineId, now: context.now } }));
  }
}
