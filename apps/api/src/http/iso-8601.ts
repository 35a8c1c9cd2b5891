import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * The one parser for every date the API takes (query parameters and body
 * fields). `Date.parse` knows only a few of ISO 8601's forms and guesses at
 * others, so a value the validator let through could become NaN in a
 * handler and a 500. Here the validator and the handler use the same
 * function: what validates, parses.
 *
 * Accepted, in the extended (with separators) or basic form:
 *  - dates: calendar `2026-02-01` / `20260201`, month `2026-02`, year `2026`,
 *    week `2026-W05` / `2026-W05-7` / `2026W057`, ordinal `2026-032` / `2026032`;
 *  - years with a sign, six digits for the expanded form: `+002026-02-01`, `-000001-01-01`;
 *  - a time after `T` (or a space): `hh`, `hh:mm`, `hh:mm:ss`, `hhmm`, `hhmmss`,
 *    a decimal fraction (`.` or `,`) on the last part, and `24:00` for the end of the day;
 *  - a zone `Z`, `±hh`, `±hh:mm` or `±hhmm`. Without one, the time is UTC.
 * A reduced form means its start: `2026-W05` is Monday 2026-01-26T00:00Z.
 */

const YEAR = String.raw`(?<year>[+-]\d{6}|[+-]?\d{4})`;
const DATE_EXTENDED = String.raw`(?:-(?<month>\d\d)(?:-(?<day>\d\d))?|-W(?<week>\d\d)(?:-(?<weekday>\d))?|-(?<ordinal>\d{3}))?`;
const DATE_BASIC = String.raw`(?:(?<bmonth>\d\d)(?<bday>\d\d)|W(?<bweek>\d\d)(?<bweekday>\d)?|(?<bordinal>\d{3}))`;
const FRACTION = String.raw`(?:[.,](?<fraction>\d+))?`;
const TIME = String.raw`(?:[T ](?<hour>\d\d)(?::?(?<minute>\d\d)(?::?(?<second>\d\d))?)?${FRACTION}(?<zone>[zZ]|[+-]\d\d(?::?\d\d)?)?)?`;
const ISO_8601 = new RegExp(String.raw`^${YEAR}(?:${DATE_EXTENDED}|${DATE_BASIC})${TIME}$`);

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** ECMAScript's range of time values: ±100,000,000 days around 1970. */
const MAX_TIME = 8.64e15;

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysIn = (year: number, month: number) =>
  [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];

/** Midnight UTC of a date; setUTCFullYear because Date.UTC maps years 0–99 to 1900–1999. */
function utcMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime();
}

/** Monday of ISO week 1: the week that holds 4 January. */
function isoWeekOneMonday(year: number): number {
  const fourth = utcMidnight(year, 1, 4);
  const weekday = (new Date(fourth).getUTCDay() + 6) % 7; // Monday = 0
  return fourth - weekday * DAY_MS;
}

const weeksIn = (year: number) => Math.round((isoWeekOneMonday(year + 1) - isoWeekOneMonday(year)) / (7 * DAY_MS));

function dayOf(year: number, groups: Record<string, string | undefined>): number | undefined {
  const month = groups.month ?? groups.bmonth;
  const day = groups.day ?? groups.bday;
  const week = groups.week ?? groups.bweek;
  const weekday = groups.weekday ?? groups.bweekday;
  const ordinal = groups.ordinal ?? groups.bordinal;
  if (week !== undefined) {
    const w = Number(week);
    const d = weekday === undefined ? 1 : Number(weekday);
    if (w < 1 || w > weeksIn(year) || d < 1 || d > 7) return undefined;
    return isoWeekOneMonday(year) + ((w - 1) * 7 + d - 1) * DAY_MS;
  }
  if (ordinal !== undefined) {
    const n = Number(ordinal);
    if (n < 1 || n > (isLeap(year) ? 366 : 365)) return undefined;
    return utcMidnight(year, 1, 1) + (n - 1) * DAY_MS;
  }
  const m = month === undefined ? 1 : Number(month);
  const d = day === undefined ? 1 : Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysIn(year, m)) return undefined;
  return utcMidnight(year, m, d);
}

function timeOf(groups: Record<string, string | undefined>): number | undefined {
  if (groups.hour === undefined) return 0;
  const hour = Number(groups.hour);
  const minute = Number(groups.minute ?? 0);
  const second = Number(groups.second ?? 0);
  const fraction = groups.fraction === undefined ? 0 : Number(`0.${groups.fraction}`);
  // 24:00 is the end of the day, and nothing later.
  if (hour === 24) return minute === 0 && second === 0 && fraction === 0 ? DAY_MS : undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // The fraction belongs to the last part written: hours, minutes or seconds.
  const unit = groups.second !== undefined ? 1_000 : groups.minute !== undefined ? MINUTE_MS : HOUR_MS;
  return hour * HOUR_MS + minute * MINUTE_MS + second * 1_000 + Math.floor(fraction * unit);
}

function offsetOf(zone: string | undefined): number | undefined {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const [, sign, hours, minutes = '0'] = /^([+-])(\d\d):?(\d\d)?$/.exec(zone)!;
  if (Number(hours) > 23 || Number(minutes) > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (Number(hours) * HOUR_MS + Number(minutes) * MINUTE_MS);
}

/** The instant an ISO 8601 date or date-time names, in ms since 1970; undefined when it names none. */
export function parseIso8601(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const groups = ISO_8601.exec(value)?.groups;
  if (!groups) return undefined;
  const year = Number(groups.year);
  // As in ECMAScript, year zero has no minus sign.
  if (/^-0+$/.test(groups.year)) return undefined;
  const day = dayOf(year, groups);
  const time = timeOf(groups);
  const offset = offsetOf(groups.zone);
  if (day === undefined || time === undefined || offset === undefined) return undefined;
  const instant = day + time - offset;
  return Number.isFinite(instant) && Math.abs(instant) <= MAX_TIME ? instant : undefined;
}

/** Like parseIso8601, for a value the validator has already accepted. */
export function iso8601Instant(value: string): number {
  const instant = parseIso8601(value);
  if (instant === undefined) throw new Error(`not an ISO 8601 date, though validated: ${value}`);
  return instant;
}

/** Midnight UTC of the day an instant falls in. */
export const utcDayOf = (instant: number) => Math.floor(instant / DAY_MS) * DAY_MS;

/**
 * Validates with the same parser the handler uses, so no accepted date can
 * fail later. `startOfHour` also asks for a whole UTC hour (usage is billed by it).
 */
export function IsIso8601Date(options: ValidationOptions & { startOfHour?: boolean } = {}): PropertyDecorator {
  const { startOfHour = false, ...validation } = options;
  const example = startOfHour
    ? 'e.g. 2026-02-01T10:00:00Z or 2026-W05-7T10Z'
    : 'e.g. 2026-02-01, 2026-W05, 2026-032 or 2026-02-01T10:00:00Z';
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIso8601Date',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 8601 ${startOfHour ? 'start of a UTC hour' : 'date or date-time'}, ${example}`,
        ...validation,
      },
      validator: {
        validate: (value: unknown) => {
          const instant = parseIso8601(value);
          return instant !== undefined && (!startOfHour || instant % HOUR_MS === 0);
        },
      },
    });
}
