import fc from 'fast-check';
import { hoursOfSet, hourSetOf } from './hour-set';

const HOUR = 3_600_000;

describe('a set of hours for a discount job', () => {
  it('keeps each day’s hours as a mask: two hours years apart are two small entries, not the range between them', () => {
    const set = hourSetOf([
      Date.parse('2026-06-01T00:00:00Z'),
      Date.parse('2026-06-01T23:00:00Z'),
      Date.parse('2027-06-01T10:00:00Z'),
    ]);
    expect(set).toEqual({ '2026-06-01': 1 | (1 << 23), '2027-06-01': 1 << 10 });
    expect(hoursOfSet(set).map((hour) => new Date(hour).toISOString())).toEqual([
      '2026-06-01T00:00:00.000Z',
      '2026-06-01T23:00:00.000Z',
      '2027-06-01T10:00:00.000Z',
    ]);
  });

  it('gives back exactly the hours it was made of, once each, in order', () => {
    const hour = fc.integer({ min: 0, max: 24 * 800 }).map((h) => Date.parse('2026-01-01T00:00:00Z') + h * HOUR);
    fc.assert(
      fc.property(fc.array(hour, { maxLength: 300 }), (hours) => {
        expect(hoursOfSet(hourSetOf(hours))).toEqual([...new Set(hours)].sort((a, b) => a - b));
      }),
      { seed: 20261207 },
    );
  });
});
