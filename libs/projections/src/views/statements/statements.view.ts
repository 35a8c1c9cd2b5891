import { BillingPlan, StatementLine } from '@app/domain';
import { ViewDocument } from '../../projection';
import { ViewReader } from '../../view-reader';

export const STATEMENTS = 'statements';

/** What the statements view keeps of a reservation to write its lines: who is billed, how it was bought, what it holds. */
export interface StatementReservation extends ViewDocument {
  customerId: string;
  orderId: string;
  orderNumber: string;
  subscriptionId: string;
  billingPlan: BillingPlan;
  boughtBy: 'order' | 'renewal' | 'exchange';
  /** VMs it holds now. */
  quantity: number;
}

/** What it keeps of an order: whether it is a renewal, and each line's billing subscription (for reservations recorded before they named theirs). */
export interface StatementOrder extends ViewDocument {
  renewal: boolean;
  lineSubscriptions: Record<number, string>;
}

/** One customer's month: its lines in the order they were recorded. */
export interface StatementMonth extends ViewDocument {
  customerId: string;
  month: string;
  lines: StatementLine[];
}

export const statementKeys = {
  order: (orderId: string) => `order:${orderId}`,
  reservation: (reservationId: string) => `reservation:${reservationId}`,
  month: (customerId: string, month: string) => `month:${customerId}:${month}`,
  monthsOfCustomer: (customerId: string) => `months:${customerId}`,
};

export const readStatementMonth = (views: ViewReader, customerId: string, month: string) =>
  views.document<StatementMonth>(STATEMENTS, statementKeys.month(customerId, month));
