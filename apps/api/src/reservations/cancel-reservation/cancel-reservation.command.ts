import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';
import { ReservationReturns } from '../reservation-returns';

export class CancelReservationCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/** Returns a whole reservation: a return of all it holds. */
@CommandHandler(CancelReservationCommand)
export class CancelReservationHandler implements ICommandHandler<CancelReservationCommand> {
  constructor(private readonly returns: ReservationReturns) {}

  execute({ reservationId, context }: CancelReservationCommand): Promise<ReservationResource> {
    return this.returns.return(reservationId, undefined, context);
  }
}
