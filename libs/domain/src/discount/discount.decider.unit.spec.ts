import { deciderSpecification } from '../../testing/decider-specification';
import {
  DiscountAppliedData,
  discountDecider,
  DiscountHourResult,
  discountHoursOf,
  discountStream,
} from './discount.decider';

const spec = deciderSpecification(discountDecider);
const TEN = '2026-06-01T10:00:00.000Z';
const ELEVEN = '2026-06-01T11:00:00.000Z';
const hour = (at: string, resultHash: string): DiscountHourResult => ({
  hour: at,
  resultHash,
  subscriptions: [],
  recordCount: 0,
  utilization: [],
});
const day = (...hours: DiscountHourResult[]): DiscountAppliedData => ({ customerId: 'c-1', date: '2026-06-01', hours });

describe('discount decider', () => {
  it('records the discount of a customer-day’s hours in one event', () =>
    spec
      .given([])
      .when({ type: 'ApplyDiscount', data: day(hour(TEN, 'a'), hour(ELEVEN, 'b')) })
      .then([{ type: 'DiscountApplied', data: day(hour(TEN, 'a'), hour(ELEVEN, 'b')) }]));

  it('writes nothing when a rerun computes the same results', () =>
    spec
      .given([{ type: 'DiscountApplied', data: day(hour(TEN, 'a'), hour(ELEVEN, 'b')) }])
      .when({ type: 'ApplyDiscount', data: day(hour(TEN, 'a'), hour(ELEVEN, 'b')) })
      .thenNothingHappens());

  it('records only the hours whose result changed, superseding them', () =>
    spec
      .given([{ type: 'DiscountApplied', data: day(hour(TEN, 'a'), hour(ELEVEN, 'b')) }])
      .when({ type: 'ApplyDiscount', data: day(hour(TEN, 'a'), hour(ELEVEN, 'c')) })
      .then([{ type: 'DiscountApplied', data: day(hour(ELEVEN, 'c')) }]));

  it('reads the hour of an event written before days were batched', () =>
    expect(discountHoursOf({ customerId: 'c-1', ...hour(TEN, 'a') })).toEqual([hour(TEN, 'a')]));

  it('names one stream per customer and UTC day', () =>
    expect(discountStream('c-1', TEN)).toBe('discount-c-1-20260601'));
});
