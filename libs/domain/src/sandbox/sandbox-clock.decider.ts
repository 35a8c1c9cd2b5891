import { Decider, Message } from '../shared/decider';
import { illegalState } from '../shared/domain-error';

/**
 * The sandbox clock of a partner's integration environment: the time every
 * business decision reads there, moved only forward, as Stripe's test clocks
 * are. Each move is one event on one stream, so two moves at once are ordered
 * by its expected revision.
 */
export const SANDBOX_CLOCK_STREAM = 'sandbox-clock';

export type SandboxClockEvent =
  /** Where the clock first stood (the configured start, or the wall clock's time when first read). */
  | Message<'SandboxClockStarted', { at: string }>
  | Message<'SandboxClockMoved', { from: string; to: string; movedAt: string }>;

export type SandboxClockCommand =
  | Message<'StartSandboxClock', { at: string }>
  /** `from`: where the clock stands as the move is decided (for a stream that has never recorded where it stands). */
  | Message<'MoveSandboxClock', { from: string; to: string; now: string }>;

export interface SandboxClock {
  /** Where the last move took it; undefined before the first. */
  now?: string;
}

export const sandboxClockDecider: Decider<SandboxClock, SandboxClockCommand, SandboxClockEvent> = {
  initialState: () => ({}),
  decide(command, state) {
    // Started once: whoever reads the clock first sets where it stands.
    if (command.type === 'StartSandboxClock')
      return state.now === undefined ? [{ type: 'SandboxClockStarted', data: { at: command.data.at } }] : [];
    const { to, now } = command.data;
    const from = state.now ?? command.data.from;
    // A retry of the move that got there, or a move to where it stands: nothing to do, and the walk to it is finished by whoever asks.
    if (Date.parse(to) === Date.parse(from)) return [];
    if (Date.parse(to) < Date.parse(from)) {
      throw illegalState(
        'CLOCK_BACKWARDS',
        `the sandbox clock stands at ${from} and moves only forward; ${to} is earlier`,
      );
    }
    return [{ type: 'SandboxClockMoved', data: { from, to, movedAt: now } }];
  },
  evolve: (_state, event) => ({ now: event.type === 'SandboxClockStarted' ? event.data.at : event.data.to }),
};

const DAY_MS = 86_400_000;
/** The daily lifecycle pass runs at 00:05 UTC (the worker's schedule); a sandbox move runs it at each one it crosses. */
export const DAILY_PASS_OFFSET_MS = 5 * 60_000;
/** The longest single move: each day crossed runs a pass, and the answer waits for them all. */
export const MAX_SANDBOX_MOVE_DAYS = 5 * 366;

/**
 * The instants at which a move from `from` to `to` runs the lifecycle pass:
 * each day's 00:05 UTC after `from` up to `to`, in order, and `to` itself,
 * so what falls due by the new time has happened when the move answers.
 */
export function lifecyclePassesBetween(from: string, to: string): string[] {
  const start = Date.parse(from);
  const end = Date.parse(to);
  const passes: string[] = [];
  for (let day = Math.floor(start / DAY_MS) * DAY_MS + DAILY_PASS_OFFSET_MS; day <= end; day += DAY_MS) {
    if (day > start) passes.push(new Date(day).toISOString());
  }
  if (end > start && passes[passes.length - 1] !== new Date(end).toISOString())
    passes.push(new Date(end).toISOString());
  return passes;
}
