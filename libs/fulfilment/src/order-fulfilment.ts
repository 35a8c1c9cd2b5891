import { Injectable, Logger } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import {
  Catalog,
  Customer,
  customerDecider,
  customerStream,
  expiryFor,
  isActiveSubscription,
  Order,
  orderDecider,
  OrderLine,
  orderStream,
  reservationDecider,
  reservationStream,
} from '@app/domain';
import { CommandContext, EventStreams } from '@app/eventstore';
import { PermanentProvisioningError, ReservationProvisioner } from './provisioning/reservation-provisioner';

const NAMESPACE = '5e0b2c7a-9d4f-4a61-b8e3-1c7f2a9d6e54';

/** What a fulfilment job carries: the order, and the event that asked for it. */
export interface FulfilmentRequest {
  orderId: string;
  /** Id of the OrderPlaced event: the cause of everything fulfilment writes. */
  placedEventId: string;
  correlationId: string;
  partnerId: string;
}

export type FulfilmentOutcome = 'completed' | 'failed' | 'skipped';

/** One reservation per order line, whoever processes the order and however often. */
export const reservationIdFor = (orderId: string, lineNumber: number) => uuidv5(`${orderId}/${lineNumber}`, NAMESPACE);

type PlacedOrder = Exclude<Order, { status: 'none' }>;

/**
 * Turns a pending order into reservations: provisions each line through the
 * provisioning port, records ReservationProvisioned on the line's reservation
 * stream, then OrderCompleted; or OrderFailed with the reason.
 *
 * Safe to run again at any point (a retry, a stalled job, a worker killed
 * mid-job): reservation ids are derived from the order and line, each
 * reservation stream is written once, event ids derive from the causing
 * event, and an order that is no longer pending is left alone.
 */
@Injectable()
export class OrderFulfilment {
  private readonly logger = new Logger('Fulfilment');

  constructor(
    private readonly streams: EventStreams,
    private readonly provisioner: ReservationProvisioner,
    private readonly catalog: Catalog,
  ) {}

  async fulfil(request: FulfilmentRequest): Promise<FulfilmentOutcome> {
    const { state: order } = await this.streams.aggregate(orderStream(request.orderId), orderDecider);
    if (order.status !== 'pending') return 'skipped';
    const context: CommandContext = {
      correlationId: request.correlationId,
      commandId: request.placedEventId,
      partnerId: order.partnerId,
      actor: 'worker/fulfilment',
      now: new Date().toISOString(),
    };

    const { state: customer } = await this.streams.aggregate(customerStream(order.customerId), customerDecider);
    const inactive = this.inactiveSubscription(order, customer);
    if (inactive) return this.fail(order, `subscription ${inactive} is no longer active; the order cannot be provisioned`, context);

    const reservationIds: string[] = [];
    for (const line of order.lines) {
      const reservationId = reservationIdFor(order.orderId, line.lineNumber);
      try {
        await this.provisionLine(order, line, reservationId, customer, context);
      } catch (error) {
        if (!(error instanceof PermanentProvisioningError)) throw error; // transient: the queue retries with backoff
        const already = reservationIds.length ? ` (lines provisioned before it: ${reservationIds.join(', ')})` : '';
        return this.fail(order, `line ${line.lineNumber} (${line.armSkuName}, ${line.region}): ${error.code} ${error.message}${already}`, context);
      }
      reservationIds.push(reservationId);
    }
    await this.streams.handle(orderStream(order.orderId), orderDecider, { type: 'CompleteOrder', data: { reservationIds, now: context.now } }, context);
    return 'completed';
  }

  /** A line's billing subscription, and a single scope's subscription, must still be active. */
  private inactiveSubscription(order: PlacedOrder, customer: Customer): string | undefined {
    const needed = [...order.lines.map((line) => line.subscriptionId), ...(order.scope.type === 'single' ? [order.scope.subscriptionId] : [])];
    return needed.find((subscriptionId) => customer.status !== 'registered' || !isActiveSubscription(customer, subscriptionId));
  }

  private async provisionLine(order: PlacedOrder, line: OrderLine, reservationId: string, customer: Customer, context: CommandContext): Promise<void> {
    const { state } = await this.streams.aggregate(reservationStream(reservationId), reservationDecider);
    if (state.status !== 'none') return; // provisioned by an earlier attempt
    const provisioned = await this.provisioner.provision({
      reservationId,
      orderId: order.orderId,
      lineNumber: line.lineNumber,
      armSkuName: line.armSkuName,
      region: line.region,
      quantity: line.quantity,
      term: line.term,
      scope: order.scope,
    });
    const size = this.catalog.sizeOf(line.armSkuName)!;
    const activeSubscriptions = customer.status === 'registered' ? Object.values(customer.subscriptions).filter((s) => s.status === 'active').map((s) => s.subscriptionId) : [];
    await this.streams.handle(
      reservationStream(reservationId),
      reservationDecider,
      {
        type: 'RecordProvisionedReservation',
        data: {
          reservationId,
          orderId: order.orderId,
          orderNumber: order.orderNumber,
          lineNumber: line.lineNumber,
          customerId: order.customerId,
          partnerId: order.partnerId,
          catalogItemId: line.catalogItemId,
          armSkuName: line.armSkuName,
          region: line.region,
          flexibilityGroup: size.flexibilityGroup,
          ratio: size.ratio,
          quantity: line.quantity,
          term: line.term,
          billingPlan: line.billingPlan,
          scope: order.scope,
          appliedSubscriptionIds: order.scope.type === 'single' ? [order.scope.subscriptionId] : activeSubscriptions,
          effectiveDate: provisioned.effectiveDate,
          expiryDate: expiryFor(provisioned.effectiveDate, line.term),
          unitPriceUsd: line.unitPriceUsd,
        },
      },
      context,
    );
  }

  private async fail(order: PlacedOrder, reason: string, context: CommandContext): Promise<FulfilmentOutcome> {
    this.logger.warn(`order ${order.orderNumber} failed: ${reason}`);
    await this.streams.handle(orderStream(order.orderId), orderDecider, { type: 'FailOrder', data: { reason, now: context.now } }, context);
    return 'failed';
  }
}
