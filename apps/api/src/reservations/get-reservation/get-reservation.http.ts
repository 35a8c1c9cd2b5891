import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { refundAllowance, RefundLedger } from '@app/domain';
import { KnownReservation, reservationsIn, reservationsProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { reservationFromView } from '../../http/owned-views';
import { Ctx, RequestContext } from '../../http/request-context';
import { provisioningState } from '../list-reservations/list-reservations.http';

/** The refunds a customer's cancelled reservations recorded, as the view knows them. */
const refundsOf = (reservations: KnownReservation[]): RefundLedger => ({
  refunds: reservations.flatMap((r) =>
    r.history.filter((entry) => entry.type === 'ReservationCancelled').map((entry) => ({ reservationId: r.reservationId, amountUsd: entry.detail.refundUsd as number, refundedAt: entry.at })),
  ),
});

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId', version: '1' })
export class GetReservationController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'Wait until the view includes this write position' })
  @ApiOkResponse({ description: "State, scope over time, every change with its revision, and the customer's refund allowance used in the rolling 12 months" })
  async get(@Param('reservationId', ParseUUIDPipe) reservationId: string, @Ctx() context: RequestContext, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    await this.consistency.ensure(reservationsProjection.name, request, response);
    const { reservation, revision } = await reservationFromView(this.views, reservationId, context.partnerId);
    const known = await reservationsIn(this.views, `customer:${reservation.customerId}`, { limit: 10_000 });
    const { partnerId: _partner, status: _status, ...visible } = reservation;
    response.setHeader('ETag', `"${revision}"`);
    return { ...visible, provisioningState: provisioningState(reservation, context.now), refundAllowance: refundAllowance(refundsOf(known), context.now), revision: String(revision) };
  }
}
