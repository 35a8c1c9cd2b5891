import { deciderSpecification } from '../../testing/decider-specification';
import { lifecyclePassesBetween, SandboxClockEvent, sandboxClockDecider } from './sandbox-clock.decider';

const spec = deciderSpecification(sandboxClockDecider);
const moved = (from: string, to: string, movedAt = from): SandboxClockEvent => ({
  type: 'SandboxClockMoved',
  data: { from, to, movedAt },
});

describe('sandbox clock', () => {
  it('moves forward from where it stands, the first time from where the caller read it', () =>
    spec
      .given([])
      .when({
        type: 'MoveSandboxClock',
        data: { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', now: '2026-01-01T00:00:00.000Z' },
      })
      .then([moved('2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')]));

  it('moves on from its last move, whatever the caller read', () =>
    spec
      .given([moved('2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')])
      .when({
        type: 'MoveSandboxClock',
        data: { from: '2026-03-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z', now: '2026-03-01T00:00:00.000Z' },
      })
      .then([moved('2026-06-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z')]));

  it('refuses to move backwards (409 CLOCK_BACKWARDS)', () =>
    spec
      .given([moved('2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')])
      .when({
        type: 'MoveSandboxClock',
        data: { from: '2026-06-01T00:00:00.000Z', to: '2026-05-31T23:59:59.999Z', now: '2026-06-01T00:00:00.000Z' },
      })
      .thenRefuses('CLOCK_BACKWARDS'));

  it('takes a move to where it already stands as done (a retry)', () =>
    spec
      .given([moved('2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')])
      .when({
        type: 'MoveSandboxClock',
        data: { from: '2026-06-01T00:00:00.000Z', to: '2026-06-01T00:00:00+00:00', now: '2026-06-01T00:00:00.000Z' },
      })
      .thenNothingHappens());
});

describe('the lifecycle passes a move runs', () => {
  it('runs each 00:05 UTC it crosses, in order, then once at the new time', () =>
    expect(lifecyclePassesBetween('2026-01-30T12:00:00.000Z', '2026-02-02T00:05:00.000Z')).toEqual([
      '2026-01-31T00:05:00.000Z',
      '2026-02-01T00:05:00.000Z',
      '2026-02-02T00:05:00.000Z',
    ]));

  it('does not run again the pass the clock stands at, and runs at the new time when it is not a 00:05', () =>
    expect(lifecyclePassesBetween('2026-01-31T00:05:00.000Z', '2026-01-31T18:00:00.000Z')).toEqual([
      '2026-01-31T18:00:00.000Z',
    ]));

  it('runs nothing for a move to where it stands', () =>
    expect(lifecyclePassesBetween('2026-01-31T00:05:00.000Z', '2026-01-31T00:05:00.000Z')).toEqual([]));

  it('crosses a leap day: 366 passes in the year after 2027-03-01 12:00', () =>
    expect(lifecyclePassesBetween('2027-03-01T12:00:00.000Z', '2028-03-01T12:00:00.000Z')).toHaveLength(367));
});

describe('where the sandbox clock starts', () => {
  it('is recorded once, by whoever reads it first; a move goes on from it', () => {
    spec
      .given([])
      .when({ type: 'StartSandboxClock', data: { at: '2027-01-01T00:00:00.000Z' } })
      .then([{ type: 'SandboxClockStarted', data: { at: '2027-01-01T00:00:00.000Z' } }]);
    spec
      .given([{ type: 'SandboxClockStarted', data: { at: '2027-01-01T00:00:00.000Z' } }])
      .when({ type: 'StartSandboxClock', data: { at: '2027-06-01T00:00:00.000Z' } })
      .thenNothingHappens();
    spec
      .given([{ type: 'SandboxClockStarted', data: { at: '2027-01-01T00:00:00.000Z' } }])
      .when({
        type: 'MoveSandboxClock',
        data: { from: '2030-01-01T00:00:00.000Z', to: '2026-06-01T00:00:00.000Z', now: '2027-01-01T00:00:00.000Z' },
      })
      .thenRefuses('CLOCK_BACKWARDS');
  });
});
