import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { customerDecider, customerStream, Scope } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedCustomer, ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';
import { reservationInOrder } from '../reservation-in-order';

export class ChangeScopeCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationId: string,
    readonly scope: Scope,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/** The customer's subscriptions, as they are now, decide whether a single scope may name one. */
@CommandHandler(ChangeScopeCommand)
export class ChangeScopeHandler implements ICommandHandler<ChangeScopeCommand> {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
  ) {}

  async execute({ reservationId, scope, context }: ChangeScopeCommand): Promise<ReservationResource> {
    const orderId = await this.orders.locate(reservationId, context.partnerId);
    return reservationInOrder(orderId, reservationId).change(this.streams, context, async ({ reservation }) => {
      const { state } = await this.streams.aggregate(customerStream(reservation.customerId), customerDecider);
      const customer = ownedCustomer(state, reservation.customerId, context.partnerId);
      return {
        type: 'ChangeReservation',
        data: { reservationId, change: { type: 'ChangeScope', data: { scope, customer, now: context.now } } },
      };
    });
  }
}
