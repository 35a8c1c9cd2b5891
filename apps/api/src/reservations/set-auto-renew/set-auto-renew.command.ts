import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { changeReservation } from '../reservation-command';
import { ReservationResource } from '../reservation.resource';

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
  constructor(private readonly orders: ReservationOrders) {}

  execute({ reservationId, autoRenew, context }: SetAutoRenewCommand): Promise<ReservationResource> {
    return changeReservation(this.orders, reservationId, context, () => ({
      type: 'ChangeReservation',
      data: { reservationId, change: { type: 'SetAutoRenew', data: { autoRenew, now: context.now } } },
    }));
  }
}
