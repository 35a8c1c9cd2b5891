import { amount, count, flag, id, instant, JsonSchema, listOf, oneOf, record, text } from './json-schema';

export const term = oneOf('P1Y', 'P3Y');
export const billingPlan = oneOf('Upfront', 'Monthly');

/** Where a discount applies, narrowest first. */
export const scope = {
  oneOf: [
    record({ type: oneOf('resourceGroup'), subscriptionId: id, resourceGroup: id }),
    record({ type: oneOf('single'), subscriptionId: id }),
    record({ type: oneOf('managementGroup'), managementGroupId: id }),
    record({ type: oneOf('shared') }),
  ],
};

export const cartLine = record(
  {
    lineId: id,
    catalogItemId: id,
    armSkuName: text,
    region: text,
    term,
    billingPlan,
    quantity: count(1),
    subscriptionId: id,
    unitPriceUsd: amount,
    autoRenew: flag,
  },
  ['autoRenew'],
);

export const splitPart = record({ reservationId: id, quantity: count(1) });

export const origin = record({ type: oneOf('split', 'merge', 'exchange'), reservationIds: listOf(id) });

/**
 * Splits and merges written before 2026-12-02 copied the source reservation's
 * whole state into the new reservations' ReservationProvisioned, so these
 * state fields can appear on older events; readers ignore them. New events
 * carry only what was bought (libs/domain reservation-changes.ts).
 */
const copied = (schema: JsonSchema): JsonSchema => ({
  ...schema,
  description: 'Copied from the source reservation by an older split or merge; not part of the event',
});
const COPIED_BY_SPLIT_AND_MERGE: Record<string, JsonSchema> = {
  status: copied(oneOf('Succeeded', 'Cancelled', 'Expired', 'Split', 'Merged')),
  renewalUnitPriceUsd: copied(amount),
  renewalOrderId: copied(id),
  renewal: copied({ type: 'object' }),
  renewalSettings: copied({ type: 'object' }),
  renewalFailure: copied({ type: 'object' }),
  endedAt: copied(instant),
  splitInto: copied(listOf(splitPart)),
  mergedInto: copied(id),
  cancellationId: copied(id),
};

export const reservationProvisioned = record(
  {
    reservationId: id,
    orderId: id,
    orderNumber: text,
    lineNumber: count(1),
    customerId: id,
    partnerId: id,
    catalogItemId: id,
    armSkuName: text,
    region: text,
    flexibilityGroup: text,
    ratio: { type: 'number', exclusiveMinimum: 0 },
    quantity: count(1),
    term,
    billingPlan,
    scope,
    appliedSubscriptionIds: listOf(id),
    effectiveDate: instant,
    expiryDate: instant,
    purchasedAt: { ...instant, description: 'When its term began; a split or merged part keeps its source’s' },
    unitPriceUsd: amount,
    autoRenew: flag,
    billingSubscriptionId: id,
    origin,
    payments: {
      ...record({ startDate: instant, recorded: count(0) }),
      description:
        'A split or merged reservation: the payment schedule it goes on with, and the payments its sources made of it (an upfront source’s one)',
    },
    ...COPIED_BY_SPLIT_AND_MERGE,
  },
  [
    'purchasedAt',
    'unitPriceUsd',
    'autoRenew',
    'billingSubscriptionId',
    'origin',
    'payments',
    ...Object.keys(COPIED_BY_SPLIT_AND_MERGE),
  ],
);
