import { chargeKind, monthCloses, perVm, statementMonth, statementTotals, StatementLine } from './statement';

describe('the monthly statement', () => {
  it('closes a month at 00:00 UTC on the 2nd of the next, a day after its end, across a year end', () => {
    expect(monthCloses('2027-01')).toBe('2027-02-02T00:00:00.000Z');
    expect(monthCloses('2027-12')).toBe('2028-01-02T00:00:00.000Z');
  });

  it('puts a line in the month of its date while that month is open, and in the month it was recorded once it has closed', () => {
    // Due on 31 January, taken by the pass of 1 February: January's.
    expect(statementMonth('2027-01-31T09:00:00.000Z', '2027-02-01T00:05:00.000Z')).toEqual({
      month: '2027-01',
      late: false,
    });
    expect(statementMonth('2027-01-31T09:00:00.000Z', '2027-02-01T23:59:59.999Z')).toEqual({
      month: '2027-01',
      late: false,
    });
    // Taken after January closed (the worker was down two days): February's, marked late; January never changes.
    expect(statementMonth('2027-01-31T09:00:00.000Z', '2027-02-02T00:00:00.000Z')).toEqual({
      month: '2027-02',
      late: true,
    });
  });

  it('names an upfront charge by how it was bought, and every payment of a monthly reservation a monthly payment', () => {
    expect(['order', 'renewal', 'exchange'].map((by) => chargeKind('Upfront', by as 'order'))).toEqual([
      'purchase',
      'renewalPurchase',
      'exchangePurchase',
    ]);
    expect(chargeKind('Monthly', 'renewal')).toBe('monthlyPayment');
  });

  it('gives the amount per VM with its sign, half a cent away from zero: a credit of 975.41 for 2 VMs is −487.71 each', () => {
    expect(perVm(-975.41, 2)).toBe(-487.71);
    expect(perVm(975.41, 2)).toBe(487.71);
    expect(perVm(0, 2)).toBe(0);
  });

  it('sums charges and credits in cents, per billing subscription and for the customer', () => {
    const line = (subscriptionId: string, amountUsd: number) => ({ subscriptionId, amountUsd }) as StatementLine;
    // 0.1 + 0.2 in floating point is 0.30000000000000004; in cents it is 30.
    expect(statementTotals([line('s-1', 0.1), line('s-1', 0.2), line('s-2', -0.05)])).toEqual({
      chargesUsd: 0.3,
      creditsUsd: 0.05,
      netUsd: 0.25,
      subscriptions: [
        { subscriptionId: 's-1', chargesUsd: 0.3, creditsUsd: 0, netUsd: 0.3 },
        { subscriptionId: 's-2', chargesUsd: 0, creditsUsd: 0.05, netUsd: -0.05 },
      ],
    });
  });
});
