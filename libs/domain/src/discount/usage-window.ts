import { HOUR_MS } from '../shared/hours';

const DAY_MS = 24 * HOUR_MS;

/** The hours usage may name: none the store would expire at once, and none so far ahead that it would never expire. */
export interface UsageWindow {
  /** The earliest hour taken: the Clock's time less the retention. */
  from: string;
  /** The latest: one hour ahead of the Clock, for a sender whose clock runs a little fast. */
  to: string;
}

export function usageWindow(now: string, retentionDays: number): UsageWindow {
  const at = Date.parse(now);
  return { from: new Date(at - retentionDays * DAY_MS).toISOString(), to: new Date(at + HOUR_MS).toISOString() };
}

/** The index of the first hour (ms, or ISO 8601) outside the window, or -1 when every one is in it; an hour that is no instant is outside. */
export function firstHourOutside(hours: ReadonlyArray<number | string>, window: UsageWindow): number {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  return hours.findIndex((hour) => {
    const at = typeof hour === 'number' ? hour : Date.parse(hour);
    return !(at >= from && at <= to);
  });
}
