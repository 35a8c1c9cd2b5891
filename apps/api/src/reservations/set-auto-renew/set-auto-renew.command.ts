import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Catalog, catalogItemId, renewalOf } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';
import { reservationInOrder } from '../reservation-in-order';

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
    private readonly catalog: Catalog,
  ) {}

  async execute({ reservationId, autoRenew, context }: SetAutoRenewCommand): Promise<ReservationResource> {
    const orderId = await this.orders.locate(reservationId, context.partnerId);
    return reservationInOrder(orderId, reservationId).change(this.streams, context, ({ reservation }) => {
      // Turned on within 30 days of expiry, the renewal's price is locked at today's market price of what it would buy.
      const item = this.catalog.get(
        catalogItemId(reservation.armSkuName, reservation.region, renewalOf(reservation).term),
        context.now,
      );
      return {
        type: 'ChangeReservation',
        data: {
          reservationId,
          change: {
            type: 'SetAutoRenew',
            data: { autoRenew, now: context.now, renewalUnitPriceUsd: item?.unitPriceUsd },
          },
        },
      };
    });
  }
}
