import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { reservationInOrder, ReservationResource } from '../reservation.resource';

export class SetAutoRenewCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationId: string,
    readonly autoRenew: boolean,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(SetAutoRenewCommand)
export class SetAutoRenewHandler implements ICommandHandler<SetAutoRenewCommand> {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
  ) {}

  async execute({ reservationId, autoRenew, context }: SetAutoRenewCommand): Promise<ReservationResource> {
    const orderId = await this.orders.locate(reservationId, context.partnerId);
    return reservationInOrder(this.orders, orderId, reservationId).change(this.streams, context, () => ({
      type: 'ChangeReservation',
      data: { reservationId, change: { type: 'SetAutoRenew', data: { autoRenew, now: context.now } } },
    }));
  }
}
