import { Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiCancelReservation } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CancelReservationCommand } from './cancel-reservation.command';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/cancel', version: '1' })
export class CancelReservationController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiCancelReservation()
  async cancel(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new CancelReservationCommand(reservationId, context)));
  }
}
