import { BillingPlan, Term } from '../catalog/catalog-item';
import { Scope } from '../cart/scope';
import { Message } from '../shared/decider';

export type ProvisioningState = 'Succeeded' | 'Cancelled' | 'Expired';

export interface ReservationProvisionedData {
  reservationId: string;
  orderId: string;
  orderNumber: string;
  lineNumber: number;
  customerId: string;
  partnerId: string;
  catalogItemId: string;
  armSkuName: string;
  region: string;
  flexibilityGroup: string;
  ratio: number;
  /** How many VMs the reservation covers at the same time. */
  quantity: number;
  term: Term;
  billingPlan: BillingPlan;
  scope: Scope;
  /** The subscriptions the discount applies to; all of the customer's for a shared scope. */
  appliedSubscriptionIds: string[];
  effectiveDate: string;
  expiryDate: string;
}

export type ReservationEvent = Message<'ReservationProvisioned', ReservationProvisionedData>;

export const reservationStream = (reservationId: string) => `reservation-${reservationId}`;
