/**
 * Where business code reads the time: every decision that depends on a date
 * (renewal, payments, expiry, price locks, refund windows, carts) asks this,
 * never the wall clock. Production uses the system's; a partner's
 * integration environment may use the sandbox clock, moved by hand.
 */
export abstract class Clock {
  /** The current instant, as ISO 8601 in UTC. */
  abstract now(): Promise<string>;
}

export class SystemClock extends Clock {
  now(): Promise<string> {
    return Promise.resolve(new Date().toISOString());
  }
}

/** A clock that stands where it is put: for tests and tools. */
export class FixedClock extends Clock {
  constructor(private instant: string) {
    super();
  }

  now(): Promise<string> {
    return Promise.resolve(this.instant);
  }

  set(instant: string): void {
    this.instant = new Date(instant).toISOString();
  }
}
