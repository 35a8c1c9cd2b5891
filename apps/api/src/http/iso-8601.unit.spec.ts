import fc from 'fast-check';
import { isoForm } from '../../../../test/support/iso-8601-forms';
import { parseIso8601 } from './iso-8601';

const anyInstant = fc.integer({ min: Date.UTC(1, 0, 2), max: Date.UTC(9999, 11, 30) });
/** Any instant, often a whole hour or day, so reduced times and 24:00 are written too. */
const instants = fc.oneof(
  anyInstant,
  anyInstant.map((t) => t - (t % 3_600_000)),
  anyInstant.map((t) => t - (t % 86_400_000)),
);

describe('parseIso8601', () => {
  it('reads back the instant from calendar, week and ordinal dates, basic or extended, expanded years, reduced times, 24:00, any offset', () => {
    fc.assert(
      fc.property(isoForm(instants), ({ text, instant }) => {
        expect({ text, parsed: parseIso8601(text) }).toEqual({ text, parsed: instant });
      }),
      { numRuns: 2_000 },
    );
  });

  it("agrees with Date.parse on ECMAScript's own format", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }), (date) => {
        expect(parseIso8601(date.toISOString())).toBe(date.getTime());
      }),
    );
  });

  it('never throws, and answers a finite instant or undefined, for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[+-]?\d{4,8}[-W\dT:.,Z+ ]{0,20}$/)), (text) => {
        const parsed = parseIso8601(text);
        expect(parsed === undefined || Number.isFinite(parsed)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    ['2026-W01', '2025-12-29T00:00:00.000Z'],
    ['2026-W01-1', '2025-12-29T00:00:00.000Z'],
    ['2020-W53-7', '2021-01-03T00:00:00.000Z'],
    ['2026-W53', '2026-12-28T00:00:00.000Z'],
    ['2026-032', '2026-02-01T00:00:00.000Z'],
    ['2024-366', '2024-12-31T00:00:00.000Z'],
    ['+002026-01-01', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T24:00', '2026-01-02T00:00:00.000Z'],
    ['2026-01-01T24:00:00Z', '2026-01-02T00:00:00.000Z'],
    ['2026', '2026-01-01T00:00:00.000Z'],
    ['2026-02', '2026-02-01T00:00:00.000Z'],
    ['20260201T1030Z', '2026-02-01T10:30:00.000Z'],
    ['2026-02-01T10.5Z', '2026-02-01T10:30:00.000Z'],
    ['2026-02-01T10:00+05:30', '2026-02-01T04:30:00.000Z'],
    ['2026-02-01 10:00-01', '2026-02-01T11:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(new Date(parseIso8601(text)!).toISOString()).toBe(iso);
  });

  it.each([
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-W00',
    '2025-W53',
    '2026-W01-8',
    '2025-366',
    '2026-000',
    '2026-01-01T24:01',
    '2026-01-01T25:00',
    '2026-01-01T10:60',
    '2026-01-01T10:00:60',
    '2026-01-01T10:00+24:00',
    '-000000-01-01',
    '+275761-01-01',
    '2026-0101',
    '202601',
    '26-01-01',
    'March 7, 2026',
    '2026-01-01T',
    '',
    ' 2026-01-01',
  ])('refuses %p', (text) => {
    expect(parseIso8601(text)).toBeUndefined();
  });
});
