import { Injectable, Logger } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { Clock } from '@app/clock';
import {
  appliedSubscriptions,
  Catalog,
  Customer,
  customerDecider,
  customerStream,
  DomainError,
  expiryFor,
  isActiveSubscription,
  OrderCommand,
  OrderLineState,
  PlacedOrder,
  scopeSubscription,
} from '@app/domain';
import { CommandContext, EventStreams } from '@app/eventstore-client';
import { PlacedEvent, ReservationOrders } from '@app/ordering';
import {
  PermanentProvisioningError,
  ProvisionedReservation,
  ReservationProvisioner,
} from './provisioning/reservation-provisioner';

const NAMESPACE = '5e0b2c7a-9d4f-4a61-b8e3-1c7f2a9d6e54';

/** What a fulfilment job carries: the order, and the event that asked for it. */
export interface FulfilmentRequest {
  orderId: string;
  /** Id of the OrderPlaced event: the cause of everything fulfilment writes. */
  placedEventId: string;
  correlationId: string;
  partnerId: string;
  /** The OrderPlaced itself, so a job decides without reading the order first. Jobs enqueued without it read the order. */
  placed?: PlacedEvent;
}

export type FulfilmentOutcome = 'completed' | 'partiallyFulfilled' | 'failed' | 'skipped';

/** One reservation per order line, whoever processes the order and however often. */
export const reservationIdFor = (orderId: string, lineNumber: number) => uuidv5(`${orderId}/${lineNumber}`, NAMESPACE);

/**
 * Turns a pending order into reservations on the reservation order stream, in
 * two appends: OrderLineProvisioningStarted for every line not yet started,
 * before the provisioning port is called; then, once every line has an
 * outcome, each line's ReservationProvisioned or OrderLineProvisioningFailed
 * together with the order's end (completed, partiallyFulfilled or failed).
 * Cancelling the order is decided on the same stream, so a cancel and the
 * start of provisioning cannot both win.
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
    private readonly clock: Clock,
  ) {}

  async fulfil(request: FulfilmentRequest): Promise<FulfilmentOutcome> {
    const { state } = request.placed
      ? await this.orders.assumePlaced(request.placed)
      : await this.orders.load(request.orderId);
    if (state.status !== 'pending') return 'skipped';
    const context: CommandContext = {
      correlationId: request.correlationId,
      commandId: request.placedEventId,
      partnerId: state.partnerId,
      actor: 'worker/fulfilment',
      now: await this.clock.now(),
    };

    const { state: customer } = await this.streams.aggregate(customerStream(state.customerId), customerDecider);
    const notStarted = state.lines.every((line) => line.provisioning.status === 'pending');
    const inactive = this.inactiveSubscription(state, customer);
    if (inactive && notStarted)
      return this.fail(state, `subscription ${inactive} is no longer active; the order cannot be provisioned`, context);

    const started = await this.start(state, await this.step(context, 'start'));
    if (started?.status !== 'pending') return 'skipped';
    const open = started.lines.filter((line) => line.provisioning.status === 'provisioning');

    const outcomes: OrderCommand[] = [];
    try {
      for (const line of open) outcomes.push(await this.provisionLine(state, line, customer));
    } catch (error) {
      // Transient: keep what was provisioned so far, and let the queue retry the rest with backoff.
      const recorded = open.slice(0, outcomes.length).map((line) => line.lineNumber);
      if (outcomes.length > 0)
        await this.orders.handle(state.orderId, outcomes, await this.step(context, `lines-${recorded.join('-')}`));
      throw error;
    }
    const finishing = await this.step(context, 'finish');
    const { state: finished } = await this.orders.handle(
      state.orderId,
      [...outcomes, { type: 'FinishFulfilment', data: { now: finishing.now } }],
      finishing,
    );
    return finished.status === 'completed' || finished.status === 'partiallyFulfilled' || finished.status === 'failed'
      ? finished.status
      : 'skipped';
  }

  private async step(context: CommandContext, name: string): Promise<CommandContext> {
    return { ...context, commandId: `${context.commandId}/${name}`, now: await this.clock.now() };
  }

  /**
   * Starts the lines not yet started, in one append: the order as it then is,
   * or undefined when it stopped being pending (cancelled first).
   */
  private async start(order: PlacedOrder, starting: CommandContext): Promise<PlacedOrder | undefined> {
    const starts: OrderCommand[] = order.lines
      .filter((line) => line.provisioning.status === 'pending')
      .map((line) => ({
        type: 'StartLineProvisioning',
        data: {
          lineNumber: line.lineNumber,
          reservationId: reservationIdFor(order.orderId, line.lineNumber),
          now: starting.now,
        },
      }));
    if (starts.length === 0) return order;
    try {
      const { state } = await this.orders.handle(order.orderId, starts, starting);
      return state.status === 'none' ? undefined : state;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ORDER_NOT_PENDING') return undefined;
      throw error;
    }
  }

  /** A line's billing subscription, and the subscription a single or resource-group scope names, must still be active. */
  private inactiveSubscription(order: PlacedOrder, customer: Customer): string | undefined {
    const scoped = scopeSubscription(order.scope);
    const needed = [...order.lines.map((line) => line.subscriptionId), ...(scoped ? [scoped] : [])];
    return needed.find(
      (subscriptionId) => customer.status !== 'registered' || !isActiveSubscription(customer, subscriptionId),
    );
  }

  /** Provisions one started line: the command recording its outcome. A transient failure is thrown for the queue to retry. */
  private async provisionLine(order: PlacedOrder, line: OrderLineState, customer: Customer): Promise<OrderCommand> {
    const reservationId = reservationIdFor(order.orderId, line.lineNumber);
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
      if (!(error instanceof PermanentProvisioningError)) throw error;
      this.logger.warn(
        `order ${order.orderNumber} line ${line.lineNumber} (${line.armSkuName}, ${line.region}) failed: ${error.code} ${error.message}`,
      );
      return {
        type: 'FailLine',
        data: { lineNumber: line.lineNumber, code: error.code, reason: error.message, now: await this.clock.now() },
      };
    }
    const size = this.catalog.sizeOf(line.armSkuName)!;
    // A renewal takes effect as the reservation it replaces expires, so no hour falls between the two.
    const effectiveDate = line.effectiveFrom ?? provisioned.effectiveDate;
    return {
      type: 'RecordLineProvisioned',
      data: {
        now: await this.clock.now(),
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
          // Its term begins as it takes effect: for a renewal, the moment the reservation it replaces expired.
          purchasedAt: effectiveDate,
          unitPriceUsd: line.unitPriceUsd,
          autoRenew: line.autoRenew ?? false,
          billingSubscriptionId: line.subscriptionId,
        },
      },
    };
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
