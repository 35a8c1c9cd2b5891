import { BillingPlan } from '../catalog/catalog-item';
import { Decider, Message } from '../shared/decider';
import { illegalState } from '../shared/domain-error';

/**
 * An exchange that returns reservations of several reservation orders spans
 * their streams. Its own stream says what was asked and how it ended, so
 * whoever finishes it (the request, or the reactor after a crash) does the
 * same: hold the reservations of the other orders, decide the exchange on the
 * first one's order, then complete the holds; or, refused, release them.
 */
export const exchangeStream = (exchangeId: string) => `exchange-${exchangeId}`;

export interface ExchangeRequestedData {
  exchangeId: string;
  customerId: string;
  partnerId: string;
  /** In the order they were asked for: the first one's order buys the new reservation. */
  returns: Array<{ reservationId: string; orderId: string; quantity: number }>;
  purchase: { catalogItemId: string; quantity: number; billingPlan: BillingPlan };
  newReservationId: string;
  /** The instant it is valued and decided at, whoever finishes it. */
  requestedAt: string;
}

export type ExchangeEvent =
  | Message<'ExchangeRequested', ExchangeRequestedData>
  | Message<'ExchangeCompleted', { exchangeId: string; newReservationId: string; completedAt: string }>
  | Message<'ExchangeFailed', { exchangeId: string; code: string; reason: string; failedAt: string }>;

export type ExchangeCommand =
  | Message<'RequestExchange', ExchangeRequestedData>
  | Message<'CompleteExchange', { now: string }>
  | Message<'FailExchange', { code: string; reason: string; now: string }>;

export type Exchange =
  | { status: 'none' }
  | (ExchangeRequestedData & { status: 'requested' | 'completed' })
  | (ExchangeRequestedData & { status: 'failed'; code: string; reason: string });

export const exchangeDecider: Decider<Exchange, ExchangeCommand, ExchangeEvent> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'RequestExchange':
        // The same exchange asked again (a retry) finds it as it stands.
        return state.status === 'none' ? [{ type: 'ExchangeRequested', data: command.data }] : [];
      case 'CompleteExchange':
        if (state.status === 'none') throw illegalState('EXCHANGE_NOT_FOUND', 'exchange not found');
        if (state.status === 'failed')
          throw illegalState('EXCHANGE_FAILED', `exchange ${state.exchangeId} failed: ${state.reason}`);
        return state.status === 'completed'
          ? []
          : [
              {
                type: 'ExchangeCompleted',
                data: {
                  exchangeId: state.exchangeId,
                  newReservationId: state.newReservationId,
                  completedAt: command.data.now,
                },
              },
            ];
      case 'FailExchange': {
        if (state.status === 'none') throw illegalState('EXCHANGE_NOT_FOUND', 'exchange not found');
        if (state.status === 'completed')
          throw illegalState('EXCHANGE_COMPLETED', `exchange ${state.exchangeId} was made`);
        if (state.status === 'failed') return [];
        const { code, reason, now } = command.data;
        return [{ type: 'ExchangeFailed', data: { exchangeId: state.exchangeId, code, reason, failedAt: now } }];
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ExchangeRequested':
        return { ...event.data, status: 'requested' };
      case 'ExchangeCompleted':
        return state.status === 'none' ? state : { ...state, status: 'completed' };
      case 'ExchangeFailed':
        return state.status === 'none'
          ? state
          : { ...state, status: 'failed', code: event.data.code, reason: event.data.reason };
    }
  },
};
