import { Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ScopeRequest } from '../../http/openapi/scope.resource';
import { ApiChangeReservationScope } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { ChangeScopeCommand } from './change-scope.command';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/scope', version: '1' })
export class ChangeScopeController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiChangeReservationScope()
  async change(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ScopeRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new ChangeScopeCommand(reservationId, body.toScope(), context)),
    );
  }
}
