import { Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { Response } from 'express';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { ReservationResource } from '../reservation.resource';
import { CancelReservationCommand } from './cancel-reservation.command';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/cancel', version: '1' })
export class CancelReservationController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) last seen; a stale one gets 409' })
  @ApiOkResponse({ type: ReservationResource, description: 'Cancelled, with the refund as quoted by GET …/refund-quote' })
  @ApiUnprocessableEntityResponse({ description: 'REFUND_CAP_EXCEEDED, with details.allowance: the remaining allowance of the rolling 12 months' })
  async cancel(@Param('reservationId', ParseUUIDPipe) reservationId: string, @Ctx() context: RequestContext, @Res({ passthrough: true }) response: Response) {
    return withRevision(response, await this.commands.execute(new CancelReservationCommand(reservationId, context)));
  }
}
