import { Body, Controller, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { BILLING_PLANS, BillingPlan, MAX_QUANTITY } from '@app/domain';
import { ApiExchangeReservation } from '../reservation.openapi';
import { RequiresPrecondition } from '../../http/precondition.guard';
import { Ctx, RequestContext } from '../../http/request-context';
import { ExchangeReservationCommand, ExchangeResult } from './exchange-reservation.command';

export class ExchangeReservationRequest {
  @ApiProperty({
    example: 'ri-standard_d8s_v5-westeurope-p1y',
    description: 'A size of the same flexibility group, in the same region',
  })
  @IsString()
  catalogItemId: string;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    example: 1,
    description: 'How many of the new size to buy',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    example: 2,
    description: 'How many of the reservation to give back; all of it by default',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  returnQuantity?: number;
  @ApiPropertyOptional({ enum: BILLING_PLANS, description: 'The reservation’s own by default' })
  @IsOptional()
  @IsIn(BILLING_PLANS)
  billingPlan?: BillingPlan;
}

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/exchange', version: '1' })
export class ExchangeReservationController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiExchangeReservation()
  @RequiresPrecondition()
  async exchange(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ExchangeReservationRequest,
    @Ctx() context: RequestContext,
  ): Promise<ExchangeResult> {
    return this.commands.execute(new ExchangeReservationCommand(reservationId, body, context));
  }
}
