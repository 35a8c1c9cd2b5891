import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { paymentSchedule } from '@app/domain';
import { reservationsProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { reservationFromView } from '../../http/owned-views';
import { ApiReservationPayments } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';

/**
 * A reservation's payments: upfront, the price at purchase; monthly, one a
 * month over the term, each paid once the daily pass has taken it. A
 * reservation that ended early (cancelled, exchanged, split or merged) takes
 * no more: its future payments are cancelled.
 */
@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/payments', version: '1' })
export class ReservationPaymentsController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiReservationPayments()
  async payments(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(reservationsProjection.name, request, response);
    const { reservation } = await reservationFromView(this.views, reservationId, context.partnerId);
    const upfront = reservation.billingPlan !== 'Monthly';
    const paidThrough = upfront ? 1 : (reservation.paymentsRecorded ?? 0);
    const endedEarly = reservation.status !== 'Succeeded' && reservation.status !== 'Expired';
    // Split or merged: its months go on in the reservations made from it, so they are not cancelled.
    const notTaken = reservation.status === 'Split' || reservation.status === 'Merged' ? 'transferred' : 'cancelled';
    // A reservation split or merged from monthly ones goes on with their schedule; the payments they made stay theirs.
    const carried = reservation.payments?.recorded ?? 0;
    const items = paymentSchedule(reservation)
      .filter((payment) => payment.paymentNumber > carried)
      .map((payment) => ({
        ...payment,
        status: payment.paymentNumber <= paidThrough ? 'paid' : endedEarly ? notTaken : 'scheduled',
      }));
    const cents = (status: string) =>
      items
        .filter((item) => item.status === status)
        .reduce((total, item) => total + Math.round(item.amountUsd * 100), 0) / 100;
    return {
      reservationId,
      billingPlan: reservation.billingPlan,
      currency: 'USD',
      totalUsd: items.reduce((total, item) => total + Math.round(item.amountUsd * 100), 0) / 100,
      paidUsd: cents('paid'),
      scheduledUsd: cents('scheduled'),
      cancelledUsd: cents('cancelled'),
      transferredUsd: cents('transferred'),
      items,
    };
  }
}
