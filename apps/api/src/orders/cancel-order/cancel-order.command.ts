import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Order, orderDecider, orderStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedOrder } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { OrderResource } from '../../http/openapi/order.resource';

export class CancelOrderCommand extends Command<OrderResource> {
  constructor(
    readonly orderId: string,
    readonly reason: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(private readonly streams: EventStreams) {}

  async execute({ orderId, reason, context }: CancelOrderCommand): Promise<OrderResource> {
    const { state, revision, position } = await this.streams.handle(
      orderStream(orderId),
      orderDecider,
      (state) => {
        ownedOrder(state, orderId, context.partnerId);
        return { type: 'CancelOrder' as const, data: { reason, now: context.now } };
      },
      context,
      { expectedRevision: context.expectedRevision },
    );
    return OrderResource.of(state as Exclude<Order, { status: 'none' }>, revision, position);
  }
}
