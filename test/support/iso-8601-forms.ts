import fc from 'fast-check';

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, '0');

/** ISO week-numbering year, week and weekday of a UTC day. */
function isoWeek(day: Date): { year: number; week: number; weekday: number } {
  const weekday = ((day.getUTCDay() + 6) % 7) + 1;
  const thursday = new Date(day.getTime() + (4 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  return { year, week: Math.floor((thursday.getTime() - jan1.getTime()) / DAY_MS / 7) + 1, weekday };
}

const year = (y: number, expanded: boolean) => (expanded ? `${y < 0 ? '-' : '+'}${pad(y, 6)}` : pad(y, 4));

function dateIn(form: 'calendar' | 'week' | 'ordinal', day: Date, basic: boolean, expanded: boolean): string {
  const sep = basic ? '' : '-';
  if (form === 'calendar')
    return `${year(day.getUTCFullYear(), expanded)}${sep}${pad(day.getUTCMonth() + 1, 2)}${sep}${pad(day.getUTCDate(), 2)}`;
  if (form === 'week') {
    const w = isoWeek(day);
    return `${year(w.year, expanded)}${sep}W${pad(w.week, 2)}${sep}${w.weekday}`;
  }
  const jan1 = new Date(0);
  jan1.setUTCFullYear(day.getUTCFullYear(), 0, 1);
  return `${year(day.getUTCFullYear(), expanded)}${sep}${pad(Math.floor((day.getTime() - jan1.getTime()) / DAY_MS) + 1, 3)}`;
}

/** hh:mm:ss.fff, leaving off the parts that are zero when asked to. */
function timeIn(at: Date, basic: boolean, reduced: boolean, comma: boolean): string {
  const sep = basic ? '' : ':';
  const [h, m, s, ms] = [at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), at.getUTCMilliseconds()];
  if (reduced && ms === 0 && s === 0 && m === 0) return pad(h, 2);
  if (reduced && ms === 0 && s === 0) return `${pad(h, 2)}${sep}${pad(m, 2)}`;
  if (reduced && ms === 0) return `${pad(h, 2)}${sep}${pad(m, 2)}${sep}${pad(s, 2)}`;
  return `${pad(h, 2)}${sep}${pad(m, 2)}${sep}${pad(s, 2)}${comma ? ',' : '.'}${pad(ms, 3)}`;
}

/**
 * Writes an instant in one of ISO 8601's forms (calendar, week or ordinal
 * date; basic or extended; expanded year; reduced time; 24:00 for a
 * midnight) at some zone offset, with the instant it names. Built from
 * Date's own UTC fields, independently of the parser under test.
 */
export const isoForm = (
  instant: fc.Arbitrary<number> = fc.integer({ min: Date.UTC(1, 0, 2), max: Date.UTC(9999, 11, 30) }),
) =>
  fc
    .record({
      instant,
      offsetMinutes: fc.oneof(fc.constant(0), fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 })),
      dateForm: fc.constantFrom('calendar' as const, 'week' as const, 'ordinal' as const),
      basic: fc.boolean(),
      expanded: fc.boolean(),
      reduced: fc.boolean(),
      midnightAs24: fc.boolean(),
      zoneForm: fc.constantFrom('Z', '+hh:mm', '+hhmm', 'none'),
      comma: fc.boolean(),
    })
    .map(({ instant, offsetMinutes, dateForm, basic, expanded, reduced, midnightAs24, zoneForm, comma }) => {
      // No zone means UTC, so a zone-less form is written at offset 0.
      const offset = zoneForm === 'none' ? 0 : offsetMinutes;
      const zone =
        zoneForm === 'none'
          ? ''
          : offset === 0 && zoneForm === 'Z'
            ? 'Z'
            : `${offset < 0 ? '-' : '+'}${pad(Math.trunc(offset / 60), 2)}${zoneForm === '+hhmm' ? '' : ':'}${pad(offset % 60, 2)}`;
      const local = new Date(instant + offset * 60_000);
      if (local.getUTCFullYear() < 2 || local.getUTCFullYear() > 9999)
        return { text: new Date(instant).toISOString(), instant };
      if (midnightAs24 && local.getTime() % DAY_MS === 0) {
        return {
          text: `${dateIn(dateForm, new Date(local.getTime() - DAY_MS), basic, expanded)}T24${basic ? '' : ':'}00${zone}`,
          instant,
        };
      }
      return {
        text: `${dateIn(dateForm, local, basic, expanded)}T${timeIn(local, basic, reduced, comma)}${zone}`,
        instant,
      };
    });

/** Odd but valid forms, each with the instant it names. */
export const ODD_ISO_DATES: Array<[string, string]> = [
  ['2026-W01', '2025-12-29T00:00:00.000Z'],
  ['2026-W53-7', '2027-01-03T00:00:00.000Z'],
  ['2026W011', '2025-12-29T00:00:00.000Z'],
  ['2026-032', '2026-02-01T00:00:00.000Z'],
  ['2026032', '2026-02-01T00:00:00.000Z'],
  ['+002026-01-01', '2026-01-01T00:00:00.000Z'],
  ['2026-01-01T24:00', '2026-01-02T00:00:00.000Z'],
  ['2026-12-31T24:00:00Z', '2027-01-01T00:00:00.000Z'],
  ['2026', '2026-01-01T00:00:00.000Z'],
  ['2026-02', '2026-02-01T00:00:00.000Z'],
  ['20260201T1030Z', '2026-02-01T10:30:00.000Z'],
  ['2026-02-01T10,5Z', '2026-02-01T10:30:00.000Z'],
  ['2026-W05-7T10:00+05:30', '2026-02-01T04:30:00.000Z'],
];
