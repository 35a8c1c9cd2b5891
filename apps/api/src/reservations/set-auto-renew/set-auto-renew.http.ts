import { Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { FastifyReply } from 'fastify';
import { ApiSetAutoRenew } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { SetAutoRenewCommand } from './set-auto-renew.command';

export class SetAutoRenewRequest {
  @ApiProperty({
    description:
      'Renew at expiry, as a system purchase, at the lower of the price locked 30 days before and the price then',
  })
  @IsBoolean()
  autoRenew: boolean;
}

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/auto-renew', version: '1' })
export class SetAutoRenewController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiSetAutoRenew()
  async set(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: SetAutoRenewRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new SetAutoRenewCommand(reservationId, body.autoRenew, context)),
    );
  }
}
