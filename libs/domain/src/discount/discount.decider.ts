import { Decider, Message } from '../shared/decider';
import { DiscountedRecord, ReservationHour } from './discount-engine';

export interface DiscountAppliedData {
  customerId: string;
  hour: string;
  /** Fingerprint of the result; a rerun that computes the same result writes nothing. */
  resultHash: string;
  records: DiscountedRecord[];
  utilization: ReservationHour[];
}

export type DiscountEvent = Message<'DiscountApplied', DiscountAppliedData>;
export type DiscountCommand = Message<'ApplyDiscount', DiscountAppliedData>;
export type DiscountHour = { resultHash?: string };

/** One stream per customer and hour: `discount-{customerId}-{hour}`. */
export const discountStream = (customerId: string, hour: string) => `discount-${customerId}-${hour.slice(0, 13).replace(/[-:T]/g, '')}`;

/**
 * The discount of one customer-hour. Applying the same result again is a
 * no-op; a different result (late usage, a new reservation) supersedes the
 * previous one, and views take the latest.
 */
export const discountDecider: Decider<DiscountHour, DiscountCommand, DiscountEvent> = {
  initialState: () => ({}),
  decide: (command, state) => (state.resultHash === command.data.resultHash ? [] : [{ type: 'DiscountApplied', data: command.data }]),
  evolve: (_state, event) => ({ resultHash: event.data.resultHash }),
};
