import { Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { FastifyReply } from 'fastify';
import { BILLING_PLANS, BillingPlan, MAX_QUANTITY, Term, TERMS } from '@app/domain';
import { ApiChangeRenewal } from '../reservation.openapi';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { ChangeRenewalCommand } from './change-renewal.command';

export class ChangeRenewalRequest {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    description: 'VMs the renewal covers; the reservation’s own quantity if unset',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity?: number;
  @ApiPropertyOptional({ enum: TERMS }) @IsOptional() @IsIn(TERMS) term?: Term;
  @ApiPropertyOptional({ enum: BILLING_PLANS }) @IsOptional() @IsIn(BILLING_PLANS) billingPlan?: BillingPlan;
}

@ApiTags('reservations')
@Controller({ path: 'reservations/:reservationId/renewal', version: '1' })
export class ChangeRenewalController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiChangeRenewal()
  async change(
    @Param('reservationId', ParseUUIDPipe) reservationId: string,
    @Body() body: ChangeRenewalRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new ChangeRenewalCommand(reservationId, body, context)));
  }
}
