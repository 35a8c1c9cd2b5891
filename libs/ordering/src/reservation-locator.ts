import { Injectable } from '@nestjs/common';
import { EventStore } from '@app/eventstore-client';
import { readReservation, reservationsProjection, ViewReader } from '@app/projections';

export interface ReservationPlace {
  orderId: string;
  partnerId: string;
}

/** Which reservation order holds a reservation: it never changes once the reservation exists. */
export abstract class ReservationLocator {
  abstract orderOf(reservationId: string): Promise<ReservationPlace | undefined>;
}

/** How long a lookup waits for the reservations view to show a reservation the store already has. */
const LOCATE_WAIT_MS = 2_000;

/** Finds the order through the reservations view, waiting for it to reach the store's head when the reservation is brand new. */
@Injectable()
export class ViewReservationLocator extends ReservationLocator {
  constructor(
    private readonly views: ViewReader,
    private readonly store: EventStore,
  ) {
    super();
  }

  async orderOf(reservationId: string): Promise<ReservationPlace | undefined> {
    const found = await this.read(reservationId);
    if (found) return found;
    // Just created by a split or merge: the view may trail the store by a few milliseconds.
    await this.views.reached(reservationsProjection.name, await this.store.headPosition(), LOCATE_WAIT_MS);
    return this.read(reservationId);
  }

  private async read(reservationId: string): Promise<ReservationPlace | undefined> {
    const document = await readReservation(this.views, reservationId);
    const state = document?.state;
    return state && state.status !== 'none' ? { orderId: state.orderId, partnerId: state.partnerId } : undefined;
  }
}
