import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { reservationKeys, reservationsIn, reservationsProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { customerFromView } from '../../http/owned-views';
import { ApiListReservations } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { provisioningState } from '../provisioning-state';

/** A customer's reservations from the reservation view, with their state computed for today. */
@ApiTags('reservations')
@Controller({ path: 'customers/:customerId/reservations', version: '1' })
export class ListReservationsController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiListReservations()
  async list(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(reservationsProjection.name, request, response);
    await customerFromView(this.views, customerId, context.partnerId);
    const reservations = await reservationsIn(this.views, reservationKeys.ofCustomer(customerId), { limit: 1_000 });
    const items = reservations.flatMap((reservation) => {
      if (reservation.partnerId !== context.partnerId) return [];
      const { partnerId: _partner, status: _status, history: _history, ...visible } = reservation;
      return [{ ...visible, provisioningState: provisioningState(reservation, context.now) }];
    });
    return { items };
  }
}
