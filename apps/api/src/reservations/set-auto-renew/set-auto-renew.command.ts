import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EventStreams } from '@app/eventstore';
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
  constructor(private readonly streams: EventStreams) {}

  execute({ reservationId, autoRenew, context }: SetAutoRenewCommand): Promise<ReservationResource> {
    return changeReservation(this.streams, reservationId, context, () => ({ type: 'SetAutoRenew', data: { autoRenew, now: context.now } }));
  }
}
