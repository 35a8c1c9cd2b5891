import { Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { SetScopeRequest } from '../../carts/set-scope/set-scope.http';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { ReservationResource } from '../reservation.resource';
import { ChangeScopeCommand } from './change-scope.command';

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/scope', version: '1' })
export class ChangeScopeController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision (ETag) last seen; a stale one gets 409' })
  @ApiOkResponse({
    type: ReservationResource,
    description: 'Single ↔ shared, free of charge; the term does not change. The discount follows from the next whole hour.',
  })
  async change(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: SetScopeRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    return withRevision(response, await this.commands.execute(new ChangeScopeCommand(reservationId, body.toScope(), context)));
  }
}
