import { deciderSpecification } from '../../testing/decider-specification';
import { DiscountAppliedData, discountDecider, discountStream } from './discount.decider';

const spec = deciderSpecification(discountDecider);
const result = (resultHash: string): DiscountAppliedData => ({ customerId: 'c-1', hour: '2026-06-01T10:00:00.000Z', resultHash, records: [], utilization: [] });

describe('discount decider', () => {
  it('records the discount of an hour', () =>
    spec
      .given([])
      .when({ type: 'ApplyDiscount', data: result('a') })
      .then([{ type: 'DiscountApplied', data: result('a') }]));

  it('writes nothing when a rerun computes the same result', () =>
    spec
      .given([{ type: 'DiscountApplied', data: result('a') }])
      .when({ type: 'ApplyDiscount', data: result('a') })
      .thenNothingHappens());

  it('supersedes an hour whose result changed', () =>
    spec
      .given([{ type: 'DiscountApplied', data: result('a') }])
      .when({ type: 'ApplyDiscount', data: result('b') })
      .then([{ type: 'DiscountApplied', data: result('b') }]));

  it('names one stream per customer and hour', () => expect(discountStream('c-1', '2026-06-01T10:00:00.000Z')).toBe('discount-c-1-2026060110'));
});
