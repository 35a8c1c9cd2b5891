import { Injectable } from '@nestjs/common';
import { Clock } from '@app/clock';
import { orderStream, ReservationEvent } from '@app/domain';
import { RenewalOrders } from '@app/ordering';
import { ProjectedEvent, Reactor } from '@app/projections';
import { causedBy } from '../caused-by';

/**
 * A renewal spans the old reservation order and the new one:
 * ReservationRenewed on the old order names the new order, which this then
 * places, so a crash between the two is finished in the background.
 */
@Injectable()
export class RenewalOrderReactor implements Reactor {
  readonly name = 'renewal-orders';
  readonly eventTypes = ['ReservationRenewed'] as const;

  constructor(
    private readonly renewals: RenewalOrders,
    private readonly clock: Clock,
  ) {}

  async react(event: ProjectedEvent): Promise<void> {
    const prefix = orderStream('');
    // Renewals recorded on the older per-reservation streams placed their order first.
    const renewed = event.data as Extract<ReservationEvent, { type: 'ReservationRenewed' }>['data'];
    if (!event.streamId.startsWith(prefix) || !renewed.renewalOrderNumber) return;
    await this.renewals.place(
      event.streamId.slice(prefix.length),
      renewed.reservationId,
      undefined,
      causedBy(event, 'system/renewal', 'renewal-order', await this.clock.now()),
    );
  }
}
