import { Injectable, Logger } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import {
  appliedSubscriptions,
  Catalog,
  Customer,
  customerDecider,
  customerStream,
  DomainError,
  expiryFor,
  isActiveSubscription,
  OrderLineState,
  PlacedOrder,
  scopeSubscription,
} from '@app/domain';
import { CommandContext, EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { PermanentProvisioningError, ProvisionedReservation, ReservationProvisioner } from './provisioning/reservation-provisioner';

const NAMESPACE = '5e0b2c7a-9d4f-4a61-b8e3-1c7f2a9d6e54';

/** What a fulfilment job carries: the order, and the event that asked for it. */
export interface FulfilmentRequest {
  orderId: string;
  /** Id of the OrderPlaced event: the cause of everything fulfilment writes. */
  placedEventId: string;
  correlationId: string;
  partnerId: string;
}

export type FulfilmentOutcome = 'completed' | 'partiallyFulfilled' | 'failed' | 'skipped';

/** One reservation per order line, whoever processes the order and however often. */
export const reservationIdFor = (orderId: string, lineNumber: number) => uuidv5(`${orderId}/${lineNumber}`, NAMESPACE);

/**
 * Turns a pending order into reservations, line by line, on the reservation
 * order stream: OrderLineProvisioningStarted before the provisioning port is
 * called, then ReservationProvisioned, or OrderLineProvisioningFailed when
 * provisioning fails for good; then the order ends as completed,
 * partiallyFulfilled or failed. Cancelling the order is decided on the same
 * stream, so a cancel and the start of provisioning cannot both win.
 *
 * Safe to run again at any point (a retry, a stalled job, a worker killed
 * mid-job): a line already started is provisioned again through the
 * idempotent port (same reservation id), a line already provisioned is
 * skipped, and an order that is no longer pending is left alone.
 */
@Injectable()
export class OrderFulfilment {
  private readonly logger = new Logger('Fulfilment');

  constructor(
    private readonly orders: ReservationOrders,
    private readonly streams: EventStreams,
    private readonly provisioner: ReservationProvisioner,
    private readonly catalog: Catalog,
  ) {}

  async fulfil(request: FulfilmentRequest): Promise<FulfilmentOutcome> {
    const { state } = await this.orders.load(request.orderId);
    if (state.status !== 'pending') return 'skipped';
    const context: CommandContext = {
      correlationId: request.correlationId,
      commandId: request.placedEventId,
      partnerId: state.partnerId,
      actor: 'worker/fulfilment',
      now: new Date().toISOString(),
    };

    const { state: customer } = await this.streams.aggregate(customerStream(state.customerId), customerDecider);
    const notStarted = state.lines.every((line) => line.provisioning.status === 'pending');
    const inactive = this.inactiveSubscription(state, customer);
    if (inactive && notStarted) return this.fail(state, `subscription ${inactive} is no longer active; the order cannot be provisioned`, context);

    for (const line of state.lines) {
      if (line.provisioning.status === 'provisioned' || line.provisioning.status === 'failed') continue;
      const carryOn = await this.provisionLine(state, line, customer, context);
      if (!carryOn) return 'skipped';
    }
    const finishing = { ...context, commandId: `${context.commandId}/finish`, now: new Date().toISOString() };
    const { state: finished } = await this.orders.handle(state.orderId, { type: 'FinishFulfilment', data: { now: finishing.now } }, finishing);
    return finished.status === 'completed' || finished.status === 'partiallyFulfilled' || finished.status === 'failed' ? finished.status : 'skipped';
  }

  /** A line's billing subscription, and the subscription a single or resource-group scope names, must still be active. */
  private inactiveSubscription(order: PlacedOrder, customer: Customer): string | undefined {
    const scoped = scopeSubscription(order.scope);
    const needed = [...order.lines.map((line) => line.subscriptionId), ...(scoped ? [scoped] : [])];
    return needed.find((subscriptionId) => customer.status !== 'registered' || !isActiveSubscription(customer, subscriptionId));
  }

  /** Provisions one line; false when the order stopped being pending (cancelled first), so nothing more is done. */
  private async provisionLine(order: PlacedOrder, line: OrderLineState, customer: Customer, context: CommandContext): Promise<boolean> {
    const reservationId = reservationIdFor(order.orderId, line.lineNumber);
    const lineContext = (step: string) => ({ ...context, commandId: `${context.commandId}/line-${line.lineNumber}/${step}`, now: new Date().toISOString() });
    try {
      await this.orders.handle(
        order.orderId,
        { type: 'StartLineProvisioning', data: { lineNumber: line.lineNumber, reservationId, now: lineContext('start').now } },
        lineContext('start'),
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ORDER_NOT_PENDING') return false;
      throw error;
    }
    let provisioned: ProvisionedReservation;
    try {
      provisioned = await this.provisioner.provision({
        reservationId,
        orderId: order.orderId,
        lineNumber: line.lineNumber,
        armSkuName: line.armSkuName,
        region: line.region,
        quantity: line.quantity,
        term: line.term,
        scope: order.scope,
      });
    } catch (error) {
      if (!(error instanceof PermanentProvisioningError)) throw error; // transient: the queue retries with backoff
      this.logger.warn(`order ${order.orderNumber} line ${line.lineNumber} (${line.armSkuName}, ${line.region}) failed: ${error.code} ${error.message}`);
      const failed = lineContext('fail');
      await this.orders.handle(
        order.orderId,
        { type: 'FailLine', data: { lineNumber: line.lineNumber, code: error.code, reason: error.message, now: failed.now } },
        failed,
      );
      return true;
    }
    const size = this.catalog.sizeOf(line.armSkuName)!;
    // A renewal takes effect as the reservation it replaces expires, so no hour falls between the two.
    const effectiveDate = line.effectiveFrom ?? provisioned.effectiveDate;
    const recorded = lineContext('provisioned');
    await this.orders.handle(
      order.orderId,
      {
        type: 'RecordLineProvisioned',
        data: {
          now: recorded.now,
          reservation: {
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
            appliedSubscriptionIds: customer.status === 'registered' ? appliedSubscriptions(order.scope, customer) : [],
            effectiveDate,
            expiryDate: expiryFor(effectiveDate, line.term),
            unitPriceUsd: line.unitPriceUsd,
            autoRenew: line.autoRenew ?? false,
            billingSubscriptionId: line.subscriptionId,
          },
        },
      },
      recorded,
    );
    return true;
  }

  private async fail(order: PlacedOrder, reason: string, context: CommandContext): Promise<FulfilmentOutcome> {
    this.logger.warn(`order ${order.orderNumber} failed: ${reason}`);
    try {
      await this.orders.handle(order.orderId, { type: 'FailOrder', data: { reason, now: context.now } }, context);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ORDER_NOT_PENDING') return 'skipped'; // cancelled first
      throw error;
    }
    return 'failed';
  }
}
