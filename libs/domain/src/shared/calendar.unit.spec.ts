import fc from 'fast-check';
import { addMonths, addYears } from './calendar';

describe('calendar arithmetic', () => {
  it('keeps the day of the month, or takes the month’s last day when it has fewer (31 January: 28/29 February, 31 March, 30 April)', () => {
    const start = '2027-01-31T09:30:00.000Z';
    expect([1, 2, 3].map((n) => addMonths(start, n))).toEqual([
      '2027-02-28T09:30:00.000Z',
      '2027-03-31T09:30:00.000Z',
      '2027-04-30T09:30:00.000Z',
    ]);
    expect(addMonths('2028-01-31T09:30:00.000Z', 1)).toBe('2028-02-29T09:30:00.000Z');
  });

  it('ends a year bought on 29 February on 28 February, and crosses year ends both ways', () => {
    expect(addYears('2028-02-29T00:00:00.000Z', 1)).toBe('2029-02-28T00:00:00.000Z');
    expect(addYears('2028-02-29T00:00:00.000Z', 4)).toBe('2032-02-29T00:00:00.000Z');
    expect(addMonths('2026-11-30T23:59:59.999Z', 3)).toBe('2027-02-28T23:59:59.999Z');
    expect(addMonths('2027-03-31T00:00:00.000Z', -1)).toBe('2027-02-28T00:00:00.000Z');
  });

  it('lands in the right month with the right time of day, never after the month’s end, for any start and any count', () =>
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 48 }),
        (start, n) => {
          const result = new Date(addMonths(start.toISOString(), n));
          expect(result.getUTCFullYear() * 12 + result.getUTCMonth()).toBe(
            start.getUTCFullYear() * 12 + start.getUTCMonth() + n,
          );
          expect(result.getUTCDate()).toBeLessThanOrEqual(start.getUTCDate());
          expect(result.getTime() % 86_400_000).toBe(start.getTime() % 86_400_000);
        },
      ),
    ));
});
