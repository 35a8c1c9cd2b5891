/**
 * Calendar arithmetic for terms and payment anniversaries: n months after an
 * instant, at the same time of day and the same day of the month, or the
 * month's last day when it has fewer (Microsoft: a purchase on 31 January
 * pays on 28 or 29 February, 31 March, 30 April). Each date of a series is
 * computed from its start, so a short month never shifts the ones after it.
 */
export function addMonths(iso: string, months: number): string {
  const start = new Date(iso);
  const monthIndex = start.getUTCFullYear() * 12 + start.getUTCMonth() + months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(start.getUTCDate(), lastDay);
  const at = new Date(start);
  at.setUTCFullYear(year, month, day);
  return at.toISOString();
}

export const addYears = (iso: string, years: number) => addMonths(iso, 12 * years);
