import { Body, Controller, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { FastifyReply } from 'fastify';
import { MAX_QUANTITY } from '@app/domain';
import { ApiReturnReservation } from '../reservation.openapi';
import { RequiresPrecondition } from '../../http/precondition.guard';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { ReturnReservationCommand } from './return-reservation.command';

export class ReturnReservationRequest {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    example: 1,
    description: 'How many of its VMs to return; all it holds cancels it',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;
}

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/return', version: '1' })
export class ReturnReservationController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiReturnReservation()
  @RequiresPrecondition()
  async return(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ReturnReservationRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new ReturnReservationCommand(reservationId, body.quantity, context)),
    );
  }
}
