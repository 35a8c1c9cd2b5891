/**
 * The usage set of bench:discount and bench:recommendations: 1,008,000 usage
 * records (100 customers × 10 subscriptions, 720 hours from 2026-06-01) and
 * 500 reservations, generated the same way every time.
 */
import { v5 as uuidv5 } from 'uuid';
import { Catalog, ReservationBenefit, UsageRecord } from '@app/domain';

export const CUSTOMERS = 100;
export const SUBSCRIPTIONS_PER_CUSTOMER = 10;
export const RESERVATIONS_PER_CUSTOMER = 5;
export const HOURS = 720;
const NS = '0c3e8b6f-4a12-4d7e-9f5b-2e8a1c6d7b90';
export const START_MS = Date.UTC(2026, 5, 1);
export const catalog = Catalog.shipped();
const sizes = [
  'Standard_D2s_v5',
  'Standard_D4s_v5',
  'Standard_D8s_v5',
  'Standard_E4s_v5',
  'Standard_DS2_v2',
  'Standard_F4s_v2',
];
const regions = ['eastus', 'westeurope'];

export interface CustomerData {
  customerId: string;
  subscriptions: string[];
  usage: UsageRecord[];
  reservations: ReservationBenefit[];
}

export function generate(): CustomerData[] {
  const customers: CustomerData[] = [];
  for (let c = 0; c < CUSTOMERS; c++) {
    const customerId = uuidv5(`customer/${c}`, NS);
    const subscriptions = Array.from({ length: SUBSCRIPTIONS_PER_CUSTOMER }, (_, s) =>
      uuidv5(`subscription/${c}/${s}`, NS),
    );
    const usage: UsageRecord[] = [];
    for (let h = 0; h < HOURS; h++) {
      const hour = new Date(START_MS + h * 3_600_000).toISOString();
      subscriptions.forEach((subscriptionId, s) => {
        const vms = (s + h + c) % 5 < 2 ? 2 : 1; // 1.4 VMs per subscription-hour on average
        for (let v = 0; v < vms; v++) {
          const vmSize = sizes[(s + v) % sizes.length];
          usage.push({
            recordId: `${c}-${s}-${v}-${h}`,
            customerId,
            subscriptionId,
            resourceId: `vm-${s}-${v}`,
            region: regions[(s + v) % regions.length],
            vmSize,
            hour,
            quantity: (h + v) % 7 === 0 ? 0.5 : 1,
            payAsYouGoRateUsd: 0.1 * catalog.sizeOf(vmSize)!.ratio,
          });
        }
      });
    }
    const reservations = Array.from({ length: RESERVATIONS_PER_CUSTOMER }, (_, r): ReservationBenefit => {
      const size = catalog.sizeOf(sizes[r % sizes.length])!;
      return {
        reservationId: uuidv5(`reservation/${c}/${r}`, NS),
        customerId,
        region: regions[r % regions.length],
        flexibilityGroup: size.flexibilityGroup,
        ratio: size.ratio,
        quantity: 1 + (r % 4),
        scope: r < 3 ? { type: 'single', subscriptionId: subscriptions[r] } : { type: 'shared' },
        effectiveDate: new Date(START_MS - 86_400_000 + r * 3_600_000).toISOString(),
        expiryDate: new Date(START_MS + 365 * 86_400_000).toISOString(),
      };
    });
    customers.push({ customerId, subscriptions, usage, reservations });
  }
  return customers;
}
