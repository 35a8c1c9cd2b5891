import { Body, Controller, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { FastifyReply } from 'fastify';
import { BILLING_PLANS, BillingPlan, MAX_QUANTITY, Term, TERMS } from '@app/domain';
import { ApiCommand } from '../../http/openapi/api-routes';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CART_ERRORS, CartResource } from '../cart.resource';
import { AddToCartCommand } from './add-to-cart.command';

export class AddToCartRequest {
  @ApiProperty({ example: 'ri-standard_d4s_v5-westeurope-p1y' }) @IsString() @MaxLength(100) catalogItemId: string;
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_QUANTITY,
    description: 'How many VMs the reservation covers at the same time',
  })
  @IsInt()
  @Min(1)
  @Max(MAX_QUANTITY)
  quantity: number;
  @ApiProperty({ format: 'uuid', description: 'The active subscription the reservation is bought under' })
  @IsUUID()
  subscriptionId: string;
  @ApiProperty({ enum: TERMS }) @IsIn(TERMS) term: Term;
  @ApiProperty({ enum: BILLING_PLANS }) @IsIn(BILLING_PLANS) billingPlan: BillingPlan;
  @ApiPropertyOptional({
    default: true,
    description: 'Renew the reservation at expiry, with no gap; can be changed until then',
  })
  @IsOptional()
  @IsBoolean()
  autoRenew?: boolean;
}

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/items', version: '1' })
export class AddToCartController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: CartResource,
    description: 'The cart with the new line',
    errors: CART_ERRORS,
  })
  async add(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Body() body: AddToCartRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new AddToCartCommand(cartId, body, context)));
  }
}
