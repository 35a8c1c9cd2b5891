import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { refundAllowance, refundLedgerDecider, refundLedgerStream, reservationOf } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ReservationOrders } from '@app/ordering';
import { reservationsProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { reservationFromView } from '../../http/owned-views';
import { ApiGetReservation } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { provisioningState } from '../provisioning-state';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId', version: '1' })
export class GetReservationController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
    private readonly streams: EventStreams,
    private readonly orders: ReservationOrders,
  ) {}

  @Get()
  @ApiGetReservation()
  async get(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(reservationsProjection.name, request, response);
    const { reservation: found } = await reservationFromView(this.views, reservationId, context.partnerId);
    // The ETag is the revision commands check If-Match against: the reservation order's, which also moves with events that
    // do not change this reservation's document (the order's completion, its other reservations). The document is read
    // once the view has everything up to that revision, so the answer is never older than its ETag (if a write lands in
    // between, it is newer, and an If-Match with this ETag is refused as stale: the safe side).
    const { state: order, revision, position } = await this.orders.load(found.orderId);
    reservationOf(order, reservationId); // 404 where commands would answer it
    if (position !== undefined) await this.consistency.reach(reservationsProjection.name, position, response);
    const { reservation } = await reservationFromView(this.views, reservationId, context.partnerId);
    // The allowance comes from the customer's refund ledger itself, as the refund quote's does, so the two always agree.
    const { state: ledger } = await this.streams.aggregate(
      refundLedgerStream(reservation.customerId),
      refundLedgerDecider,
    );
    const { partnerId: _partner, status: _status, payments: _payments, ...visible } = reservation;
    response.header('ETag', `"${revision}"`);
    return {
      ...visible,
      provisioningState: provisioningState(reservation, context.now),
      refundAllowance: refundAllowance(ledger, context.now),
      revision: String(revision),
    };
  }
}
