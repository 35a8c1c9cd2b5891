import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import { reservationOf, ruleViolated } from '@app/domain';
import { ReservationOrders } from '@app/ordering';
import { RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';

const NAMESPACE = '7d2a9b41-3e6f-4c08-b5d1-8e4f0a2c6b93';

/** The same sources always merge into the same reservation, whatever order they are named in. */
export const mergeTargetId = (reservationIds: string[]) => uuidv5([...reservationIds].sort().join('/'), NAMESPACE);

export class MergeReservationsCommand extends Command<ReservationResource> {
  constructor(
    readonly reservationIds: string[],
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Merges reservations of one reservation order: the sources end as merged
 * and the merged reservation is created in one append to that order, as in
 * Azure, where merging happens inside a reservation order. Reservations of
 * different orders answer 422 MERGE_ACROSS_ORDERS. A retry (or the same
 * request racing itself) finds the merged reservation and answers it.
 */
@CommandHandler(MergeReservationsCommand)
export class MergeReservationsHandler implements ICommandHandler<MergeReservationsCommand> {
  constructor(private readonly orders: ReservationOrders) {}

  async execute({ reservationIds, context }: MergeReservationsCommand): Promise<ReservationResource> {
    const targetReservationId = mergeTargetId(reservationIds);
    const orderIds = new Set<string>();
    for (const reservationId of reservationIds)
      orderIds.add(await this.orders.locate(reservationId, context.partnerId));
    if (orderIds.size > 1) {
      throw ruleViolated(
        'MERGE_ACROSS_ORDERS',
        'the reservations belong to different reservation orders; only reservations of one reservation order can be merged',
      );
    }
    const [orderId] = orderIds;
    const { state, revision, position } = await this.orders.handle(
      orderId,
      { type: 'MergeReservations', data: { reservationIds, targetReservationId, now: context.now } },
      context,
      {
        expectedRevision: context.expectedRevision,
      },
    );
    return ReservationResource.of(reservationOf(state, targetReservationId), revision, position);
  }
}
