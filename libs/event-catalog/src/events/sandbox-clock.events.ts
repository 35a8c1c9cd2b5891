import { EventType } from '../event-type';
import { instant, record } from '../json-schema';
import { at } from './event-examples';

/** The sandbox clock of an integration environment. */
export const SANDBOX_CLOCK_EVENTS: EventType[] = [
  {
    type: 'SandboxClockStarted',
    version: 1,
    stream: 'sandbox-clock',
    cause: 'The sandbox clock read for the first time (SANDBOX_CLOCK=true): where it starts',
    schema: record({ at: instant }),
    example: { at },
  },
  {
    type: 'SandboxClockMoved',
    version: 1,
    stream: 'sandbox-clock',
    cause: 'PUT /v1/sandbox/clock (integration environments only, SANDBOX_CLOCK=true)',
    schema: record({ from: instant, to: instant, movedAt: instant }),
    example: { from: at, to: '2027-06-02T00:05:00.000Z', movedAt: at },
  },
];
