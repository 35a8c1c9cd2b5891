/**
 * The reference model on cases computed by hand from docs/money.md (each
 * figure worked out in the comment above it), so the lifetimes run compares
 * the system with something known to be right.
 */
import {
  Action,
  addMonths,
  at,
  CatalogChange,
  flatten,
  iso,
  LifeResult,
  monthCloses,
  ModelRun,
  passesBetween,
  paymentPerUnit,
  remainingDays,
  runModel,
  statementsOf,
  Step,
} from './reference-model';

const D2S_P1Y = 'ri-standard_d2s_v5-eastus-p1y'; // 529.80
const D2S_P3Y = 'ri-standard_d2s_v5-eastus-p3y'; // 1,009.15
const D4S_P1Y = 'ri-standard_d4s_v5-eastus-p1y'; // 1,059.61
const D4S_P3Y = 'ri-standard_d4s_v5-eastus-p3y'; // 2,018.30
const D8S_P3Y = 'ri-standard_d8s_v5-eastus-p3y'; // 4,036.61
const D64S_JP_P3Y = 'ri-standard_d64s_v5-japaneast-p3y'; // 38,751.44

function run(
  start: string,
  end: string,
  actions: Action[],
  catalogChanges: CatalogChange[] = [],
): { model: ModelRun; life: LifeResult } {
  const model = runModel({ start, end, catalogChanges, lives: [{ key: 'c1', actions }] });
  return { model, life: model.lives[0] };
}
const steps = (model: ModelRun) => model.moments.flatMap((moment) => moment.steps);
const linesOf = (life: LifeResult, reservation: string) =>
  life.lines.filter((line) => line.reservation === reservation);
const isoOf = (instants: number[]) => instants.map(iso);

describe('calendar arithmetic', () => {
  it('keeps the day of the month and the time of day, clamping to the month’s last day, each date from the series’ start', () => {
    const start = at('2027-01-31T10:00:00Z');
    expect(isoOf([1, 2, 3, 13].map((n) => addMonths(start, n)))).toEqual([
      '2027-02-28T10:00:00.000Z',
      '2027-03-31T10:00:00.000Z',
      '2027-04-30T10:00:00.000Z',
      '2028-02-29T10:00:00.000Z',
    ]);
    expect(iso(addMonths(at('2028-02-29T23:59:00Z'), 12))).toBe('2029-02-28T23:59:00.000Z');
    expect(iso(addMonths(at('2026-11-15T00:00:00Z'), 36))).toBe('2029-11-15T00:00:00.000Z');
  });

  it('runs a pass at each 00:05 UTC crossed and at the move’s target', () => {
    expect(isoOf(passesBetween(at('2027-01-30T12:00:00Z'), at('2027-02-02T06:00:00Z')))).toEqual([
      '2027-01-31T00:05:00.000Z',
      '2027-02-01T00:05:00.000Z',
      '2027-02-02T00:05:00.000Z',
      '2027-02-02T06:00:00.000Z',
    ]);
    expect(isoOf(passesBetween(at('2027-01-30T12:00:00Z'), at('2027-01-31T00:05:00Z')))).toEqual([
      '2027-01-31T00:05:00.000Z',
    ]);
    expect(passesBetween(at('2027-01-30T12:00:00Z'), at('2027-01-30T12:00:00Z'))).toEqual([]);
  });

  it('closes a month at 00:00 UTC on the 2nd of the next', () => {
    expect(iso(monthCloses('2027-12'))).toBe('2028-01-02T00:00:00.000Z');
    expect(iso(monthCloses('2028-02'))).toBe('2028-03-02T00:00:00.000Z');
  });
});

describe('payments', () => {
  it('splits a unit price into n payments of ⌊unit ÷ n⌋, the last taking the remainder', () => {
    // 529.80 over 12: 44.15 each, exactly; 1,009.15 over 36: 28.03 × 35 = 981.05, the last 28.10.
    expect([1, 12].map((i) => paymentPerUnit(52_980, 12, i))).toEqual([4_415, 4_415]);
    expect([1, 35, 36].map((i) => paymentPerUnit(100_915, 36, i))).toEqual([2_803, 2_803, 2_810]);
    const sum = (unit: number, n: number) =>
      Array.from({ length: n }, (_, i) => paymentPerUnit(unit, n, i + 1)).reduce((a, b) => a + b, 0);
    expect([sum(100_915, 36), sum(3_875_144, 36), sum(105_961, 12)]).toEqual([100_915, 3_875_144, 105_961]);
  });

  it('a monthly purchase on 31 January pays on 31 January, 29 February (a leap year), 31 March, 30 April …', () => {
    const { life } = run('2028-01-31T10:00:00Z', '2028-05-15T00:00:00Z', [
      {
        at: '2028-01-31T10:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 2, billingPlan: 'Monthly' }],
      },
    ]);
    expect(life.payments.map((payment) => [payment.number, iso(payment.due), payment.amountCents])).toEqual([
      [1, '2028-01-31T10:00:00.000Z', 8_830],
      [2, '2028-02-29T10:00:00.000Z', 8_830],
      [3, '2028-03-31T10:00:00.000Z', 8_830],
      [4, '2028-04-30T10:00:00.000Z', 8_830],
    ]);
    // Each recorded by the first pass at or after it fell due: 29 February's at 00:05 on 1 March, in February's statement.
    expect(iso(life.payments[1].recordedAt)).toBe('2028-03-01T00:05:00.000Z');
    expect(life.statements.map((statement) => [statement.month, statement.totals.netCents, statement.closed])).toEqual([
      ['2028-01', 8_830, true],
      ['2028-02', 8_830, true],
      ['2028-03', 8_830, true],
      ['2028-04', 8_830, true],
      ['2028-05', 0, false],
    ]);
    expect(life.statements[1].lines[0]).toMatchObject({
      kind: 'monthlyPayment',
      quantity: 2,
      unitCents: 4_415,
      amountCents: 8_830,
      late: false,
    });
  });

  it('… and on 28 February in a year that is not leap', () => {
    const { life } = run('2027-01-31T10:00:00Z', '2027-03-01T00:00:00Z', [
      {
        at: '2027-01-31T10:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 1, billingPlan: 'Monthly' }],
      },
    ]);
    expect(isoOf(life.payments.map((payment) => payment.due))).toEqual([
      '2027-01-31T10:00:00.000Z',
      '2027-02-28T10:00:00.000Z',
    ]);
  });

  it('takes an upfront reservation’s whole price as it takes effect, as a purchase line', () => {
    const { life } = run('2026-05-05T08:00:00Z', '2026-06-01T00:00:00Z', [
      {
        at: '2026-05-05T08:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D4S_P3Y, quantity: 3, billingPlan: 'Upfront' }],
      },
    ]);
    expect(life.lines).toEqual([
      expect.objectContaining({
        kind: 'purchase',
        reservation: 'R1',
        quantity: 3,
        unitCents: 201_830,
        amountCents: 605_490,
      }),
    ]);
    expect(iso(life.reservations.get('R1')!.end)).toBe('2029-05-05T08:00:00.000Z');
  });
});

describe('renewal', () => {
  it('a P1Y renewal changed to P3Y after the lock pays the P3Y price, locked again at the change and lower than the market at expiry', () => {
    // Two D2s_v5 for a year from 5 May 2026 08:00; expiry 5 May 2027 08:00; the pass at 00:05 on 6 April locks the P1Y price (529.80).
    // On 20 April the renewal becomes P3Y: locked again at the P3Y price then, 1,009.15; on 25 April the P3Y price rises to 1,100.
    // At the pass of 6 May 00:05 the renewal buys 2 × P3Y at the lower of 1,009.15 and 1,100: 2,018.30, dated at the old expiry.
    const { model, life } = run(
      '2026-05-05T08:00:00Z',
      '2027-06-01T00:00:00Z',
      [
        {
          at: '2026-05-05T08:00:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: D2S_P1Y, quantity: 2, billingPlan: 'Upfront' }],
        },
        { at: '2027-04-20T12:00:30Z', type: 'renewalSettings', reservation: 'R1', term: 'P3Y' },
      ],
      [{ catalogItemId: D2S_P3Y, from: '2027-04-25T12:00:00Z', unitPriceUsd: 1_100 }],
    );
    const locks = model.moments.flatMap((moment) => moment.passEvents).filter((event) => event.type === 'locked');
    expect(locks).toEqual([
      expect.objectContaining({ at: at('2027-04-06T00:05:00Z'), reservation: 'R1', cents: 52_980 }),
    ]);
    expect(life.reservations.get('R1')).toMatchObject({
      status: 'expired',
      lock: { cents: 100_915, at: at('2027-04-20T12:00:30Z'), by: 'settings' },
    });
    const renewal = life.reservations.get('R2')!;
    expect(renewal).toMatchObject({
      catalogItemId: D2S_P3Y,
      term: 'P3Y',
      quantity: 2,
      unitCents: 100_915,
      autoRenew: true,
      chain: 'R1',
    });
    expect([iso(renewal.start), iso(renewal.end)]).toEqual(['2027-05-05T08:00:00.000Z', '2030-05-05T08:00:00.000Z']);
    expect(linesOf(life, 'R2')).toEqual([
      expect.objectContaining({
        kind: 'renewalPurchase',
        date: at('2027-05-05T08:00:00Z'),
        recordedAt: at('2027-05-06T00:05:00Z'),
        amountCents: 201_830,
      }),
    ]);
    // Covered without a gap: R1 until its expiry, R2 from that instant.
    expect(life.coverage.get('R1')).toEqual([
      { from: at('2026-05-05T08:00:00Z'), to: at('2030-05-05T08:00:00Z'), quantity: 2 },
    ]);
    expect(
      ['renewal', 'renewalTermChanged', 'settingsChangedAfterLock', 'lockBelowMarket'].filter(
        (path) => !model.paths.has(path as never),
      ),
    ).toEqual([]);
  });

  it('renews at the market price at expiry when it fell below the lock, and a monthly renewal pays its first payment at the old expiry', () => {
    // Locked at 1,059.61 on 2 June 2027 (the first pass 30 days before 1 July 2027 09:00); the price falls to 1,000 on 15 June.
    const { life } = run(
      '2026-07-01T09:00:00Z',
      '2027-08-15T00:00:00Z',
      [
        {
          at: '2026-07-01T09:00:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: D4S_P1Y, quantity: 1, billingPlan: 'Upfront' }],
        },
        { at: '2026-09-01T10:00:30Z', type: 'renewalSettings', reservation: 'R1', billingPlan: 'Monthly', quantity: 3 },
      ],
      [{ catalogItemId: D4S_P1Y, from: '2027-06-15T12:00:00Z', unitPriceUsd: 1_000 }],
    );
    expect(life.reservations.get('R1')!.lock).toEqual({ cents: 105_961, at: at('2027-06-02T00:05:00Z'), by: 'pass' });
    // 3 VMs at 1,000.00 over 12 months: 83.33 a VM a month (the last 83.37): 249.99 on 1 July and on 1 August.
    expect(life.reservations.get('R2')).toMatchObject({ unitCents: 100_000, quantity: 3, plan: 'Monthly' });
    expect(linesOf(life, 'R2').map((line) => [line.kind, iso(line.date), line.amountCents])).toEqual([
      ['monthlyPayment', '2027-07-01T09:00:00.000Z', 24_999],
      ['monthlyPayment', '2027-08-01T09:00:00.000Z', 24_999],
    ]);
  });

  it('locks at the instant auto-renew is turned on inside the 30 days, not at the next pass', () => {
    // A year of D8s_v5 from 1 March 2026 10:00; auto-renew off, then on again on 10 February 2027 10:00, 19 days before expiry,
    // at 1,907.30; the price rises to 2,200 an hour later, before the next pass: the renewal pays 1,907.30.
    const { model, life } = run(
      '2026-03-01T10:00:00Z',
      '2027-03-15T00:00:00Z',
      [
        {
          at: '2026-03-01T10:00:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', quantity: 1, billingPlan: 'Upfront' }],
        },
        { at: '2026-12-01T10:00:30Z', type: 'autoRenew', reservation: 'R1', autoRenew: false },
        { at: '2027-02-10T10:00:30Z', type: 'autoRenew', reservation: 'R1', autoRenew: true },
      ],
      [
        { catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', from: '2026-06-01T12:00:00Z', unitPriceUsd: 1_907.3 },
        { catalogItemId: 'ri-standard_d8s_v5-eastus-p1y', from: '2027-02-10T11:00:00Z', unitPriceUsd: 2_200 },
      ],
    );
    expect(life.reservations.get('R1')!.lock).toEqual({
      cents: 190_730,
      at: at('2027-02-10T10:00:30Z'),
      by: 'autoRenewOn',
    });
    expect(life.reservations.get('R2')).toMatchObject({ unitCents: 190_730, start: at('2027-03-01T10:00:00Z') });
    expect(model.paths.has('lockedByAutoRenewOn') && model.paths.has('lockBelowMarket')).toBe(true);
  });

  it('buys nothing when auto-renew is turned off the day before expiry, and drops the lock', () => {
    const { model, life } = run('2026-06-01T09:30:00Z', '2027-07-01T00:00:00Z', [
      {
        at: '2026-06-01T09:30:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 1, billingPlan: 'Upfront' }],
      },
      { beforeExpiry: 'R1', beforeMs: 86_400_000, type: 'autoRenew', reservation: 'R1', autoRenew: false },
    ]);
    expect(steps(model).map((step) => [step.type, iso(step.at)])).toEqual([
      ['purchase', '2026-06-01T09:30:00.000Z'],
      ['autoRenew', '2027-05-31T09:30:00.000Z'],
    ]);
    expect([...life.reservations.keys()]).toEqual(['R1']);
    expect(life.reservations.get('R1')).toMatchObject({
      status: 'expired',
      endedAt: at('2027-06-01T09:30:00Z'),
      autoRenew: false,
      lock: undefined,
    });
    expect(life.lines).toHaveLength(1);
    expect(model.paths.has('autoRenewOffAtExpiry') && model.paths.has('autoRenewOffDayBeforeExpiry')).toBe(true);
  });

  it('fails the renewal of a size no longer sold for the renewal term, and renews nothing', () => {
    const { model, life } = run(
      '2026-06-01T09:30:00Z',
      '2027-07-01T00:00:00Z',
      [
        {
          at: '2026-06-01T09:30:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: D2S_P1Y, quantity: 1, billingPlan: 'Monthly' }],
        },
      ],
      [{ catalogItemId: D2S_P1Y, from: '2027-01-10T12:00:00Z', withdrawn: true }],
    );
    expect(life.reservations.get('R1')).toMatchObject({
      status: 'expired',
      renewalFailed: { at: at('2027-06-02T00:05:00Z') },
    });
    expect(life.reservations.size).toBe(1);
    expect(model.paths.has('renewalFailedWithdrawn')).toBe(true);
  });

  it('refuses a change of auto-renew or of the renewal after expiry: RESERVATION_EXPIRED', () => {
    const { model } = run('2026-06-01T09:30:00Z', '2027-07-01T00:00:00Z', [
      {
        at: '2026-06-01T09:30:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 1, billingPlan: 'Upfront', autoRenew: false }],
      },
      { at: '2027-06-01T09:30:30Z', type: 'lateChange', pickExpired: 0, change: 'renewalSettings' },
      { at: '2027-06-02T09:30:30Z', type: 'lateChange', pickExpired: 0, change: 'autoRenew' },
    ]);
    expect(
      steps(model)
        .slice(1)
        .map((step) => [step.type, step.expect]),
    ).toEqual([
      ['renewalSettings', { refused: 'RESERVATION_EXPIRED' }],
      ['autoRenew', { refused: 'RESERVATION_EXPIRED' }],
    ]);
  });
});

describe('refunds', () => {
  it('prorates by whole days of a leap year’s term, today counting as remaining, at the lower price', () => {
    // Bought 1 June 2027 09:00, expires 1 June 2028: 366 days. Returned 9 September 15:00: 100 days begun, 266 remain.
    // The price fell to 500.00: ⌊50,000 × 266 ÷ 366⌋ = 36,338 cents.
    expect(remainingDays(at('2027-06-01T09:00:00Z'), at('2028-06-01T09:00:00Z'), at('2027-09-09T15:00:30Z'))).toBe(266);
    const { model, life } = run(
      '2027-06-01T09:00:00Z',
      '2027-10-01T00:00:00Z',
      [
        {
          at: '2027-06-01T09:00:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: D2S_P1Y, quantity: 2, billingPlan: 'Upfront' }],
        },
        { at: '2027-09-09T15:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
      ],
      [{ catalogItemId: D2S_P1Y, from: '2027-08-01T12:00:00Z', unitPriceUsd: 500 }],
    );
    expect(steps(model)[1]).toMatchObject({
      type: 'return',
      quantity: 1,
      refundCents: 36_338,
      countedCents: 36_338,
      lowerCents: 50_000,
      expect: { ok: true },
    });
    expect(life.lines[1]).toMatchObject({ kind: 'refund', amountCents: -36_338, quantity: 1, month: '2027-09' });
    expect(life.reservations.get('R1')!.segments).toEqual([
      { from: at('2027-06-01T09:00:00Z'), to: at('2027-09-09T15:00:30Z'), quantity: 2 },
      { from: at('2027-09-09T15:00:30Z'), to: at('2028-06-01T09:00:00Z'), quantity: 1 },
    ]);
  });

  it('floors the exact share: ⌊194,041 × 30 ÷ 366⌋ is 15,905 (in floating point 30 ÷ 366 makes it 15,904)', () => {
    // A DS3_v2 in Japan East for a leap year from 1 June 2027 09:00:30, cancelled on 2 May 2028 10:00:30: 336 days begun, 30 remain.
    const { model } = run('2027-06-01T09:00:00Z', '2028-06-10T00:00:00Z', [
      {
        at: '2027-06-01T09:00:30Z',
        type: 'purchase',
        lines: [{ catalogItemId: 'ri-standard_ds3_v2-japaneast-p1y', quantity: 1, billingPlan: 'Upfront' }],
      },
      { at: '2028-05-02T10:00:30Z', type: 'cancel', reservation: 'R1' },
    ]);
    expect(steps(model)[1]).toMatchObject({ refundCents: 15_905, countedCents: 15_905 });
  });

  it('names a credit’s amount per VM: the amount ÷ the quantity, to the cent, half a cent away from zero', () => {
    // Two of three D2s_v5 back after 29 days of 365: ⌊52,980 × 2 × 336 ÷ 365⌋ = 97,541; −975.41 ÷ 2 = −487.705, so −487.71.
    const { life } = run('2026-04-01T09:00:00Z', '2026-06-01T00:00:00Z', [
      {
        at: '2026-04-01T09:00:30Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 3, billingPlan: 'Upfront' }],
      },
      { at: '2026-04-30T10:00:30Z', type: 'return', reservation: 'R1', quantity: 2 },
    ]);
    expect(life.lines.map((line) => [line.kind, line.quantity, line.unitCents, line.amountCents])).toEqual([
      ['purchase', 3, 52_980, 158_940],
      ['refund', 2, -48_771, -97_541],
    ]);
  });

  it('in a year that is not leap, 365 days', () => {
    // Bought 1 June 2026, expires 1 June 2027: 365 days; 100 begun, 265 remain: ⌊52,980 × 265 ÷ 365⌋ = 38,464.
    const { model } = run('2026-06-01T09:00:00Z', '2026-10-01T00:00:00Z', [
      {
        at: '2026-06-01T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 1, billingPlan: 'Upfront' }],
      },
      { at: '2026-09-09T15:00:30Z', type: 'cancel', reservation: 'R1' },
    ]);
    expect(steps(model)[1]).toMatchObject({ type: 'cancel', quantity: 1, refundCents: 38_464 });
  });

  it('cancelling a monthly reservation refunds what was paid ahead and counts the commitment cancelled toward the cap', () => {
    // 1,200.00 a year from 10 January 2026 09:00: 100.00 a month. Cancelled 16 March 12:00, after the third payment:
    // 65 days begun, 300 of 365 remain; commitment ⌊120,000 × 300 ÷ 365⌋ = 98,630; future 9 × 10,000 = 90,000;
    // paid ahead 8,630, refunded at the lower price 1,186.54: ⌊8,630 × 118,654 ÷ 120,000⌋ = 8,533.
    const { model, life } = run(
      '2026-01-10T09:00:00Z',
      '2026-06-01T00:00:00Z',
      [
        {
          at: '2026-01-10T09:00:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: D4S_P1Y, quantity: 1, billingPlan: 'Monthly' }],
        },
        { at: '2026-03-16T12:00:30Z', type: 'cancel', reservation: 'R1' },
      ],
      [
        { catalogItemId: D4S_P1Y, from: '2026-01-01T00:00:00Z', unitPriceUsd: 1_200 },
        { catalogItemId: D4S_P1Y, from: '2026-03-01T12:00:00Z', unitPriceUsd: 1_186.54 },
      ],
    );
    expect(steps(model)[1]).toMatchObject({ refundCents: 8_533, countedCents: 98_630, lowerCents: 118_654 });
    // The payments stop: three taken, none after the cancellation.
    expect(life.payments.map((payment) => payment.amountCents)).toEqual([10_000, 10_000, 10_000]);
    expect(life.statements.map((statement) => statement.totals.netCents)).toEqual([
      10_000,
      10_000,
      10_000 - 8_533,
      0,
      0,
      0,
    ]);
  });

  it('a monthly return that paid nothing ahead refunds nothing, and a nothing is no line of the statement', () => {
    // 1,059.61 a year from 1 July 2026 09:00 (365 days): 88.30 a month, the last 88.31.
    // One VM back on 31 July 10:00: 30 days begun, 335 remain; commitment ⌊105,961 × 335 ÷ 365⌋ = 97,251;
    // future 10 × 8,830 + 8,831 = 97,131; 120 paid ahead.
    // The other on 1 September 08:00, an hour before its third payment: 61 days begun (July and August are long), 304 remain;
    // commitment ⌊105,961 × 304 ÷ 365⌋ = 88,252, less than the 88,301 still to pay: nothing was paid ahead.
    const { model, life } = run('2026-07-01T09:00:00Z', '2026-10-01T00:00:00Z', [
      {
        at: '2026-07-01T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D4S_P1Y, quantity: 2, billingPlan: 'Monthly' }],
      },
      { at: '2026-07-31T10:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
      { at: '2026-09-01T08:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
    ]);
    expect(
      steps(model)
        .slice(1)
        .map((step) => ('refundCents' in step ? [step.refundCents, step.countedCents] : [])),
    ).toEqual([
      [120, 97_251],
      [0, 88_252],
    ]);
    expect(life.lines.map((line) => [line.kind, line.amountCents])).toEqual([
      ['monthlyPayment', 17_660],
      ['refund', -120],
      ['monthlyPayment', 8_830],
    ]);
    expect(life.reservations.get('R1')!.status).toBe('cancelled');
  });

  it('refunds in whole cents, exactly: ⌊7,954 × 127,153 ÷ 127,153⌋ is 7,954 (in floating-point USD it came out one cent short)', () => {
    // 1,271.53 a year from 19 February 2029 20:28:30 (365 days): ⌊127,153 ÷ 12⌋ = 10,596 a month, the last 10,597. Returned
    // 30 March 18:33:30, after 2 payments: 38 days begun, 327 remain; commitment ⌊127,153 × 327 ÷ 365⌋ = 113,915;
    // future 9 × 10,596 + 10,597 = 105,961; 7,954 paid ahead, at an unchanged price.
    const { model } = run('2029-02-19T20:28:30Z', '2029-04-01T00:00:00Z', [
      {
        at: '2029-02-19T20:28:30Z',
        type: 'purchase',
        lines: [{ catalogItemId: 'ri-standard_d4s_v5-japaneast-p1y', quantity: 1, billingPlan: 'Monthly' }],
      },
      { at: '2029-03-30T18:33:30Z', type: 'cancel', reservation: 'R1' },
    ]);
    expect(steps(model)[1]).toMatchObject({ refundCents: 7_954, countedCents: 113_915, remainingCents: 105_961 });
  });

  it('refuses a refund past USD 50,000 in a rolling 12 months, and allows it once the first has left the window', () => {
    // Two D64s_v5 for three years at 38,751.44 from 10 March 2026 09:00 (1,096 days, 29 February 2028 among them). The first
    // VM back after 10 days counts ⌊3,875,144 × 1,086 ÷ 1,096⌋ = 3,839,786; the second a month later ⌊3,875,144 × 1,055 ÷ 1,096⌋
    // = 3,730,179, which would take the window to 7,569,965.
    const { model, life } = run('2026-03-10T09:00:00Z', '2027-04-01T00:00:00Z', [
      {
        at: '2026-03-10T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D64S_JP_P3Y, quantity: 2, billingPlan: 'Upfront' }],
      },
      { at: '2026-03-20T10:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
      { at: '2026-04-20T10:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
      { at: '2027-03-20T10:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
    ]);
    expect(
      steps(model)
        .slice(1)
        .map((step) => [iso(step.at), step.expect, 'refundCents' in step ? step.refundCents : undefined]),
    ).toEqual([
      ['2026-03-20T10:00:30.000Z', { ok: true }, 3_839_786],
      ['2026-04-20T10:00:30.000Z', { refused: 'REFUND_CAP_EXCEEDED' }, 3_730_179],
      // Exactly 12 months after the first, it has left the window: 375 days begun, 721 remain, ⌊3,875,144 × 721 ÷ 1,096⌋.
      ['2027-03-20T10:00:30.000Z', { ok: true }, 2_549_250],
    ]);
    expect(life.refusals).toEqual([{ at: at('2026-04-20T10:00:30Z'), type: 'return', code: 'REFUND_CAP_EXCEEDED' }]);
    expect(life.reservations.get('R1')!.status).toBe('cancelled');
  });
  it('counts the rolling 12 months back by the calendar: on 29 February 2028 the window opens after 28 February 2027', () => {
    // Two D64s_v5 for three years from 20 February 2027 09:00:30 (1,096 days). One back on 1 March 2027 (9 days begun):
    // ⌊3,875,144 × 1,087 ÷ 1,096⌋ = 3,843,322. The other on 29 February 2028 (374 days begun): ⌊3,875,144 × 722 ÷ 1,096⌋
    // = 2,552,786. The first is inside the 12 months that end then, so the two pass 5,000,000.
    expect(iso(addMonths(at('2028-02-29T10:00:30Z'), -12))).toBe('2027-02-28T10:00:30.000Z');
    const { model } = run('2027-02-20T09:00:00Z', '2028-03-10T00:00:00Z', [
      {
        at: '2027-02-20T09:00:30Z',
        type: 'purchase',
        lines: [{ catalogItemId: D64S_JP_P3Y, quantity: 2, billingPlan: 'Upfront', autoRenew: false }],
      },
      { at: '2027-03-01T10:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
      { at: '2028-02-29T10:00:30Z', type: 'return', reservation: 'R1', quantity: 1 },
    ]);
    expect(
      steps(model)
        .slice(1)
        .map((step) => ['refundCents' in step && step.refundCents, step.expect]),
    ).toEqual([
      [3_843_322, { ok: true }],
      [2_552_786, { refused: 'REFUND_CAP_EXCEEDED' }],
    ]);
  });
});

describe('exchange', () => {
  it('Microsoft’s example: USD 100 a month over 36 months, exchanged after the 18th payment, returns USD 1,800 of commitment', () => {
    // 3,600.00 over 36 months from 10 March 2026 09:00 (1,096 days); the 18th payment fell due on 10 August 2027.
    // Exchanged on 20 August 10:00: 528 days begun, 568 remain; commitment ⌊360,000 × 568 ÷ 1,096⌋ = 186,569;
    // future 18 × 10,000 = 180,000 (the commitment returned); paid ahead 6,569, refunded in full (the price did not fall).
    const { model, life } = run(
      '2026-03-10T09:00:00Z',
      '2027-10-01T00:00:00Z',
      [
        {
          at: '2026-03-10T09:00:00Z',
          type: 'purchase',
          lines: [{ catalogItemId: D4S_P3Y, quantity: 1, billingPlan: 'Monthly' }],
        },
        {
          at: '2027-08-20T10:00:30Z',
          type: 'exchange',
          returns: [{ reservation: 'R1', quantity: 1 }],
          purchase: { catalogItemId: D8S_P3Y, quantity: 1, billingPlan: 'Upfront' },
        },
      ],
      [{ catalogItemId: D4S_P3Y, from: '2026-01-01T00:00:00Z', unitPriceUsd: 3_600 }],
    );
    const exchange = steps(model)[1] as Extract<Step, { type: 'exchange' }>;
    expect(exchange.returns).toEqual([{ reservation: 'R1', quantity: 1, refundCents: 6_569, remainingCents: 180_000 }]);
    expect(life.payments.filter((payment) => payment.reservation === 'R1')).toHaveLength(18);
    // The purchase in full at the exchange, the refund a credit beside it: 4,036.61 − 65.69 due.
    expect(exchange).toMatchObject({ amountDueCents: 403_661 - 6_569, creates: 'R2', expect: { ok: true } });
    expect(linesOf(life, 'R2')).toEqual([
      expect.objectContaining({ kind: 'exchangePurchase', amountCents: 403_661, order: 'O1' }),
    ]);
    expect(life.reservations.get('R1')).toMatchObject({ status: 'exchanged', endedAt: at('2027-08-20T10:00:30Z') });
    expect(life.reservations.get('R2')).toMatchObject({
      start: at('2027-08-20T10:00:30Z'),
      end: at('2030-08-20T10:00:30Z'),
      autoRenew: true,
    });
    const august = life.statements.find((statement) => statement.month === '2027-08')!;
    expect(august.lines.map((line) => [line.kind, line.amountCents])).toEqual([
      ['monthlyPayment', 10_000],
      ['exchangeRefund', -6_569],
      ['exchangePurchase', 403_661],
    ]);
  });

  it('needs a lifetime commitment of at least what is returned (EXCHANGE_VALUE_TOO_LOW), and refuses what was bought from 1 February 2027 (EXCHANGE_NOT_ELIGIBLE)', () => {
    const { model, life } = run('2027-01-20T09:00:00Z', '2027-04-01T00:00:00Z', [
      {
        at: '2027-01-20T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D8S_P3Y, quantity: 2, billingPlan: 'Upfront' }],
      },
      {
        at: '2027-02-10T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D4S_P1Y, quantity: 1, billingPlan: 'Upfront' }],
      },
      {
        at: '2027-03-01T10:00:30Z',
        type: 'exchange',
        returns: [{ reservation: 'R1', quantity: 2 }],
        purchase: { catalogItemId: D2S_P3Y, quantity: 2, billingPlan: 'Upfront' },
      },
      {
        at: '2027-03-01T10:00:30Z',
        type: 'exchange',
        returns: [{ reservation: 'R2', quantity: 1 }],
        purchase: { catalogItemId: D8S_P3Y, quantity: 1, billingPlan: 'Upfront' },
      },
    ]);
    expect(
      steps(model)
        .slice(2)
        .map((step) => step.expect),
    ).toEqual([{ refused: 'EXCHANGE_VALUE_TOO_LOW' }, { refused: 'EXCHANGE_NOT_ELIGIBLE' }]);
    expect(life.lines.map((line) => line.kind)).toEqual(['purchase', 'purchase']);
  });

  it('returns several reservations in one exchange, part of one, into the first one’s order', () => {
    const { model, life } = run('2026-04-01T09:00:00Z', '2026-06-01T00:00:00Z', [
      {
        at: '2026-04-01T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D2S_P1Y, quantity: 3, billingPlan: 'Upfront', autoRenew: false }],
      },
      {
        at: '2026-04-02T09:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D4S_P1Y, quantity: 1, billingPlan: 'Monthly' }],
      },
      {
        at: '2026-05-01T10:00:30Z',
        type: 'exchange',
        returns: [
          { reservation: 'R1', quantity: 2 },
          { reservation: 'R2', quantity: 1 },
        ],
        purchase: { catalogItemId: D8S_P3Y, quantity: 1, billingPlan: 'Monthly' },
      },
    ]);
    const exchange = steps(model)[2] as Extract<Step, { type: 'exchange' }>;
    expect(exchange.expect).toEqual({ ok: true });
    expect(life.reservations.get('R1')).toMatchObject({ status: 'active', quantity: 1 });
    expect(life.reservations.get('R2')).toMatchObject({ status: 'exchanged' });
    expect(life.reservations.get('R3')).toMatchObject({ order: 'O1', autoRenew: false, plan: 'Monthly', term: 'P3Y' });
    // Payment 1 of the new reservation at the exchange: ⌊403,661 ÷ 36⌋ = 11,212.
    expect(linesOf(life, 'R3')).toEqual([
      expect.objectContaining({ kind: 'monthlyPayment', amountCents: 11_212, date: at('2026-05-01T10:00:30Z') }),
    ]);
    expect(model.paths.has('exchangeSeveral')).toBe(true);
  });
});

describe('split and merge', () => {
  it('go on with the monthly schedule: the parts take the payments after the split, none twice, and the whole still sums to the price', () => {
    // Four D4s_v5 for a year at 1,059.61 from 15 January 2026 10:00: ⌊105,961 ÷ 12⌋ = 8,830 a VM, the last 8,831.
    const { model, life } = run('2026-01-15T10:00:00Z', '2027-02-01T00:00:00Z', [
      {
        at: '2026-01-15T10:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D4S_P1Y, quantity: 4, billingPlan: 'Monthly', autoRenew: false }],
      },
      { at: '2026-03-20T11:00:30Z', type: 'split', reservation: 'R1', quantities: [1, 3] },
      { at: '2026-05-20T11:00:30Z', type: 'merge', reservations: ['R2', 'R3'] },
    ]);
    const byReservation = (id: string) =>
      life.payments.filter((payment) => payment.reservation === id).map((payment) => payment.number);
    expect([byReservation('R1'), byReservation('R2'), byReservation('R3'), byReservation('R4')]).toEqual([
      [1, 2, 3],
      [4, 5],
      [4, 5],
      [6, 7, 8, 9, 10, 11, 12],
    ]);
    expect(life.lines.reduce((sum, line) => sum + line.amountCents, 0)).toBe(105_961 * 4);
    expect(life.reservations.get('R4')).toMatchObject({
      quantity: 4,
      autoRenew: false,
      start: at('2026-01-15T10:00:00Z'),
      end: at('2027-01-15T10:00:00Z'),
    });
    expect(life.coverage.get('R1')).toEqual([
      { from: at('2026-01-15T10:00:00Z'), to: at('2027-01-15T10:00:00Z'), quantity: 4 },
    ]);
    expect(model.paths.has('split') && model.paths.has('merge')).toBe(true);
  });

  it('an upfront reservation’s payment stays its own: the parts take none', () => {
    const { life } = run('2026-01-15T10:00:00Z', '2026-12-01T00:00:00Z', [
      {
        at: '2026-01-15T10:00:00Z',
        type: 'purchase',
        lines: [{ catalogItemId: D4S_P1Y, quantity: 2, billingPlan: 'Upfront' }],
      },
      { at: '2026-03-20T11:00:30Z', type: 'split', reservation: 'R1' },
    ]);
    expect(life.payments.map((payment) => payment.reservation)).toEqual(['R1']);
    expect(life.reservations.get('R2')).toMatchObject({ quantity: 1, autoRenew: false });
  });
});

describe('statements', () => {
  it('puts a line recorded after its month closed in the month it was recorded, marked late', () => {
    const line = {
      kind: 'monthlyPayment' as const,
      reservation: 'R1',
      order: 'O1',
      subscription: 0,
      quantity: 1,
      unitCents: 100,
      amountCents: 100,
    };
    const [january, february] = statementsOf(
      [
        {
          ...line,
          date: at('2027-01-31T10:00:00Z'),
          recordedAt: at('2027-02-01T00:05:00Z'),
          month: '2027-01',
          late: false,
        },
        {
          ...line,
          date: at('2027-01-31T11:00:00Z'),
          recordedAt: at('2027-02-02T00:05:00Z'),
          month: '2027-02',
          late: true,
        },
      ],
      '2027-01',
      '2027-02',
      at('2027-02-15T00:00:00Z'),
      1,
    );
    expect([january.closed, january.lines.length, february.closed, february.lines[0].late]).toEqual([
      true,
      1,
      false,
      true,
    ]);
  });

  it('flattens a chain’s holdings into intervals of constant quantity', () => {
    expect(
      flatten([
        { from: 0, to: 10, quantity: 2 },
        { from: 10, to: 20, quantity: 2 },
        { from: 15, to: 20, quantity: 1 },
      ]),
    ).toEqual([
      { from: 0, to: 15, quantity: 2 },
      { from: 15, to: 20, quantity: 3 },
    ]);
  });
});
