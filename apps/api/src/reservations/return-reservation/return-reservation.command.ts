import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';
import { ReservationReturns } from '../reservation-returns';

export class ReturnReservationCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationId: string,
    readonly quantity: number,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/** Returns a quantity of a reservation, as Azure's Return API with `ReservationToReturnQuantity`; all of it is a cancellation. */
@CommandHandler(ReturnReservationCommand)
export class ReturnReservationHandler implements ICommandHandler<ReturnReservationCommand> {
  constructor(private readonly returns: ReservationReturns) {}

  execute({ reservationId, quantity, context }: ReturnReservationCommand): Promise<ReservationResource> {
    return this.returns.return(reservationId, quantity, context);
  }
}
