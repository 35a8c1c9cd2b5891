import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { BillingPlan, Catalog, catalogItemId, renewalOf, Term } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';
import { reservationInOrder } from '../reservation-in-order';

export interface RenewalSettings {
  quantity?: number;
  term?: Term;
  billingPlan?: BillingPlan;
}

export class ChangeRenewalCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationId: string,
    readonly settings: RenewalSettings,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/** What the renewal will buy — quantity, term, billing plan — may change until the reservation expires. */
@CommandHandler(ChangeRenewalCommand)
export class ChangeRenewalHandler implements ICommandHandler<ChangeRenewalCommand> {
  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
    private readonly catalog: Catalog,
  ) {}

  async execute({ reservationId, settings, context }: ChangeRenewalCommand): Promise<ReservationResource> {
    const orderId = await this.orders.locate(reservationId, context.partnerId);
    return reservationInOrder(orderId, reservationId).change(this.streams, context, ({ reservation }) => {
      // Within 30 days of expiry the lock follows the new settings, at today's market price of what they buy.
      const term = settings.term ?? renewalOf(reservation).term;
      const item = this.catalog.get(catalogItemId(reservation.armSkuName, reservation.region, term), context.now);
      return {
        type: 'ChangeReservation',
        data: {
          reservationId,
          change: {
            type: 'ChangeRenewalSettings',
            data: { ...settings, now: context.now, renewalUnitPriceUsd: item?.unitPriceUsd },
          },
        },
      };
    });
  }
}
