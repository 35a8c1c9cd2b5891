export const HOUR_MS = 3_600_000;

/** Usage is billed by the whole hour, so a reservation (or a change to one) applies from the next whole hour on. */
export const nextWholeHourMs = (iso: string) => Math.ceil(Date.parse(iso) / HOUR_MS) * HOUR_MS;
export const nextWholeHour = (iso: string) => new Date(nextWholeHourMs(iso)).toISOString();
