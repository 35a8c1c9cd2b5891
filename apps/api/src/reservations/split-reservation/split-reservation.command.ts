import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { PlacedOrder, reservationOf, SplitPart } from '@app/domain';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';

const NAMESPACE = '0c9e4f3a-6b2d-4e81-9a57-2f1d8c3b7e60';

/** A reservation splits once, so its parts' ids derive from it: any retry names the same two. */
export const splitPartId = (reservationId: string, part: number) => uuidv5(`${reservationId}/split/${part}`, NAMESPACE);

export class SplitReservationCommand extends Command<ReservationResource[]> {
  constructor(
    readonly reservationId: string,
    readonly quantities: [number, number],
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Ends the original as split and creates its two parts in one append to the
 * reservation order, so no crash can leave one without the others. A retry
 * finds the split recorded and answers the same parts.
 */
@CommandHandler(SplitReservationCommand)
export class SplitReservationHandler implements ICommandHandler<SplitReservationCommand> {
  constructor(private readonly orders: ReservationOrders) {}

  async execute({ reservationId, quantities, context }: SplitReservationCommand): Promise<ReservationResource[]> {
    const into: SplitPart[] = quantities.map((quantity, i) => ({
      reservationId: splitPartId(reservationId, i + 1),
      quantity,
    }));
    const orderId = await this.orders.locate(reservationId, context.partnerId);
    const { state, revision, position } = await this.orders.handle(
      orderId,
      { type: 'SplitReservation', data: { reservationId, into, now: context.now } },
      context,
      {
        expectedRevision: context.expectedRevision,
      },
    );
    return into.map((part) =>
      ReservationResource.of(reservationOf(state as PlacedOrder, part.reservationId), revision, position),
    );
  }
}
