/** Ids and data the examples of several aggregates share, so that one example order names one example customer, cart and reservation. */
export const customerId = 'c1f3a9e2-3b7d-4a51-9f0e-2d6b8c4e7a10';
export const subscriptionId = '5d2e8f41-7c3a-4b96-a1e0-9f8d7c6b5a43';
export const cartId = '8a7b6c5d-4e3f-4a1b-9c8d-7e6f5a4b3c2d';
export const orderId = '0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e';
export const reservationId = '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b';
export const lineId = '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c';
export const at = '2026-06-01T09:30:00.000Z';
export const line = {
  lineId,
  catalogItemId: 'ri-standard_d4s_v5-westeurope-p1y',
  armSkuName: 'Standard_D4s_v5',
  region: 'westeurope',
  term: 'P1Y',
  billingPlan: 'Monthly',
  quantity: 2,
  subscriptionId,
  unitPriceUsd: 1062.72,
  autoRenew: true,
};
export const provisioned = {
  reservationId,
  orderId,
  orderNumber: 'RO-2026-000001',
  lineNumber: 1,
  customerId,
  partnerId: 'partner-contoso',
  catalogItemId: line.catalogItemId,
  armSkuName: line.armSkuName,
  region: 'westeurope',
  flexibilityGroup: 'DSv5 Series',
  ratio: 4,
  quantity: 2,
  term: 'P1Y',
  billingPlan: 'Monthly',
  scope: { type: 'shared' },
  appliedSubscriptionIds: [subscriptionId],
  effectiveDate: '2026-06-01T09:31:00.000Z',
  expiryDate: '2027-06-01T09:31:00.000Z',
  unitPriceUsd: 1062.72,
  autoRenew: true,
  billingSubscriptionId: subscriptionId,
};
