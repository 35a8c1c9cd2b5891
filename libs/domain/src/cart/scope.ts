/**
 * Where a reservation's discount applies: one subscription, or every
 * subscription of the customer (its billing context).
 */
export type Scope = { type: 'single'; subscriptionId: string } | { type: 'shared' };

export const sameScope = (a: Scope, b: Scope) =>
  a.type === b.type && (a.type === 'shared' || a.subscriptionId === (b as { subscriptionId: string }).subscriptionId);
