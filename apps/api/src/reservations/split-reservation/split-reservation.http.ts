import { Body, Controller, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min } from 'class-validator';
import { MAX_QUANTITY } from '@app/domain';
import { ApiSplitReservation } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { ReservationResource } from '../../http/openapi/reservation.resource';
import { SplitReservationCommand } from './split-reservation.command';

export class SplitReservationRequest {
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: MAX_QUANTITY },
    minItems: 2,
    maxItems: 2,
    example: [1, 2],
    description: "Two quantities that sum to the reservation's quantity",
  })
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(2)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(MAX_QUANTITY, { each: true })
  quantities: [number, number];
}

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/split', version: '1' })
export class SplitReservationController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiSplitReservation()
  async split(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: SplitReservationRequest,
    @Ctx() context: RequestContext,
  ): Promise<{ items: ReservationResource[] }> {
    return { items: await this.commands.execute(new SplitReservationCommand(reservationId, body.quantities, context)) };
  }
}
