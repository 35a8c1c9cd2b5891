const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Whole hours, small enough for a queue job: per UTC day (`2026-06-01`), its
 * hours as a 24-bit mask (bit h for hh:00). A batch's hours lie in the usage
 * window, so a set holds at most ~400 days, whatever the batch's size.
 */
export type HourSet = Record<string, number>;

/** The set of the hours given in milliseconds (whole hours; any other instant counts as its hour). */
export function hourSetOf(hours: Iterable<number>): HourSet {
  const set: HourSet = {};
  for (const hour of hours) {
    const day = Math.floor(hour / DAY_MS) * DAY_MS;
    const date = new Date(day).toISOString().slice(0, 10);
    set[date] = (set[date] ?? 0) | (1 << Math.floor((hour - day) / HOUR_MS));
  }
  return set;
}

/** The hours of a set, in milliseconds, earliest first. */
export function hoursOfSet(set: HourSet): number[] {
  const hours: number[] = [];
  for (const [date, mask] of Object.entries(set)) {
    const day = Date.parse(`${date}T00:00:00.000Z`);
    for (let h = 0; h < 24; h++) if (mask & (1 << h)) hours.push(day + h * HOUR_MS);
  }
  return hours.sort((a, b) => a - b);
}
