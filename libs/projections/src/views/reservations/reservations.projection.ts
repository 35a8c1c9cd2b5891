import { nextWholeHour, RESERVATION_EVENT_TYPES, ReservationEvent, reservationDecider } from '@app/domain';
import { foldingProjection } from '../folding-projection';
import { RESERVATIONS, reservationKeys, ReservationView } from './reservations.view';

/** When an event happened, whatever the event calls it. */
const occurredAt = (event: ReservationEvent): string => {
  const data = event.data as Record<string, unknown>;
  const key = Object.keys(data).find((k) => k.endsWith('At') && typeof data[k] === 'string');
  return key ? (data[key] as string) : event.type === 'ReservationProvisioned' ? event.data.effectiveDate : '';
};

function evolve(view: ReservationView, event: ReservationEvent, revision: number): ReservationView {
  const state = reservationDecider.evolve(view, event);
  if (state.status === 'none') return { status: 'none' };
  const previous = view.status === 'none' ? { history: [], scopePeriods: [] } : view;
  const { reservationId: _id, ...detail } = event.data as Record<string, unknown>;
  const history = [
    ...previous.history,
    {
      type: event.type,
      at: occurredAt(event),
      revision,
      detail: event.type === 'ReservationProvisioned' ? {} : detail,
    },
  ];
  const scopePeriods =
    event.type === 'ReservationProvisioned'
      ? [
          {
            from: event.data.effectiveDate,
            scope: event.data.scope,
            appliedSubscriptionIds: event.data.appliedSubscriptionIds,
          },
        ]
      : event.type === 'ReservationScopeChanged' || event.type === 'ReservationScopeFellBack'
        ? [
            ...previous.scopePeriods,
            {
              from: nextWholeHour(occurredAt(event)),
              scope: event.data.scope,
              appliedSubscriptionIds: event.data.appliedSubscriptionIds,
            },
          ]
        : previous.scopePeriods;
  return { ...state, history, scopePeriods };
}

/** Reservations of a customer: state, scope over time and history; indexed by effective date. */
export const reservationsProjection = foldingProjection<ReservationView, ReservationEvent>({
  name: RESERVATIONS,
  eventTypes: RESERVATION_EVENT_TYPES,
  documentKey: (event) => reservationKeys.reservation(event.data.reservationId),
  evolve,
  initialState: () => ({ status: 'none' }),
  indexes: (_state, event) =>
    event.type === 'ReservationProvisioned'
      ? [
          {
            key: reservationKeys.ofCustomer(event.data.customerId),
            score: Date.parse(event.data.effectiveDate),
            member: event.data.reservationId,
          },
          // The daily lifecycle pass finds reservations near their end through this one.
          { key: reservationKeys.byExpiry, score: Date.parse(event.data.expiryDate), member: event.data.reservationId },
        ]
      : [],
});
