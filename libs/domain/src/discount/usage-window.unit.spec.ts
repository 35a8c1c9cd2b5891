import { firstHourOutside, usageWindow } from './usage-window';

describe('the usage window', () => {
  const window = usageWindow('2026-12-07T10:30:00.000Z', 400);

  it('runs from the retention before the Clock to one hour after it', () => {
    expect(window).toEqual({ from: '2025-11-02T10:30:00.000Z', to: '2026-12-07T11:30:00.000Z' });
  });

  it('takes the hours inside it, its edges included', () => {
    expect(
      firstHourOutside(['2025-11-02T11:00:00.000Z', '2026-12-07T10:00:00.000Z', '2026-12-07T11:00:00.000Z'], window),
    ).toBe(-1);
    expect(firstHourOutside([], window)).toBe(-1);
    // Exactly at the edges.
    expect(firstHourOutside([window.from, window.to], window)).toBe(-1);
  });

  it('names the first hour outside it: too old, too far ahead, or no date at all', () => {
    expect(firstHourOutside(['2026-12-07T10:00:00.000Z', '1971-01-01T00:00:00.000Z'], window)).toBe(1);
    expect(firstHourOutside(['9999-01-01T00:00:00.000Z', '1971-01-01T00:00:00.000Z'], window)).toBe(0);
    expect(firstHourOutside(['2026-12-07T12:00:00.000Z'], window)).toBe(0);
    expect(firstHourOutside(['2025-11-02T10:00:00.000Z'], window)).toBe(0);
    expect(firstHourOutside(['not a date'], window)).toBe(0);
    expect(firstHourOutside([Date.parse('2026-12-07T10:00:00Z'), NaN], window)).toBe(1);
  });
});
