import { ActiveReservation, ReservationEvent, Scope } from '@app/domain';
import { IndexCursor, PageOptions, ViewReader } from '../../view-reader';
import { FoldedDocument } from '../folding-projection';

export const RESERVATIONS = 'reservations';

/** A stretch of time with one scope. A change applies from the next whole hour, as usage is billed by the hour. */
export interface ScopePeriod {
  from: string;
  scope: Scope;
  appliedSubscriptionIds: string[];
}

export interface ReservationHistoryEntry {
  type: ReservationEvent['type'];
  at: string;
  revision: number;
  detail: Record<string, unknown>;
}

export type ReservationView =
  { status: 'none' } | (ActiveReservation & { history: ReservationHistoryEntry[]; scopePeriods: ScopePeriod[] });
export type KnownReservation = Exclude<ReservationView, { status: 'none' }>;

/** Where the reservations view keeps a reservation, and its indexes: per customer by effective date, and all by expiry. */
export const reservationKeys = {
  reservation: (reservationId: string) => `reservation:${reservationId}`,
  ofCustomer: (customerId: string) => `customer:${customerId}`,
  byExpiry: 'by-expiry',
};

export const readReservation = (views: ViewReader, reservationId: string) =>
  views.document<FoldedDocument<ReservationView>>(RESERVATIONS, reservationKeys.reservation(reservationId));

/**
 * Every reservation an index lists in a score range, highest score first, a
 * page at a time: for passes over all of them, which a page limit would cut
 * short without a word.
 */
export async function* eachReservationIn(
  views: ViewReader,
  index: string,
  range: { minScore?: number; maxScore?: number },
  pageSize = 1_000,
): AsyncGenerator<KnownReservation> {
  for (let after: IndexCursor | undefined; ;) {
    const listed = await listedIn(views, index, { ...range, after, limit: pageSize });
    yield* known(listed);
    if (listed.length < pageSize) return;
    after = listed[listed.length - 1].entry;
  }
}

/** The reservations an index of this view lists (reservationKeys.ofCustomer or byExpiry), highest score first. */
export async function reservationsIn(
  views: ViewReader,
  index: string,
  options: { minScore?: number; maxScore?: number; limit: number },
): Promise<KnownReservation[]> {
  return known(await listedIn(views, index, options));
}

const listedIn = (views: ViewReader, index: string, options: PageOptions) =>
  views.listed<FoldedDocument<ReservationView>>(RESERVATIONS, index, reservationKeys.reservation, options);

/** The listed documents that hold a reservation. */
const known = (listed: Array<{ document: FoldedDocument<ReservationView> | undefined }>): KnownReservation[] =>
  listed.flatMap(({ document }) => (document?.state && document.state.status !== 'none' ? [document.state] : []));
