import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsUUID } from 'class-validator';
import { FastifyReply } from 'fastify';
import { ApiMergeReservations } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { MergeReservationsCommand } from './merge-reservations.command';

export class MergeReservationsRequest {
  @ApiProperty({
    type: [String],
    description: 'Two or more reservations with the same SKU, region, term, billing plan and end date',
  })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  reservationIds: string[];
}

@ApiTags('reservations')
@Controller({ path: 'reservations/merge', version: '1' })
export class MergeReservationsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiMergeReservations()
  async merge(
    @Body() body: MergeReservationsRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new MergeReservationsCommand(body.reservationIds, context)),
    );
  }
}
