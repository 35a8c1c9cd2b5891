import { Body, Controller, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsUUID, ValidateIf } from 'class-validator';
import { Response } from 'express';
import { Scope } from '@app/domain';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CART_ERRORS, CartResource } from '../cart.resource';
import { SetScopeCommand } from './set-scope.command';
import { ApiCommand } from '../../http/openapi/api-routes';

export class SetScopeRequest {
  @ApiProperty({ enum: ['single', 'shared'], description: 'single: one subscription; shared: all of the customer’s subscriptions' })
  @IsIn(['single', 'shared'])
  type: 'single' | 'shared';

  @ApiPropertyOptional({ format: 'uuid', description: 'Required for a single scope; must be an active subscription of the customer' })
  @ValidateIf((scope: SetScopeRequest) => scope.type === 'single' || scope.subscriptionId !== undefined)
  @IsUUID()
  subscriptionId?: string;

  toScope(): Scope {
    return this.type === 'single' ? { type: 'single', subscriptionId: this.subscriptionId! } : { type: 'shared' };
  }
}

@ApiTags('carts')
@Controller({ path: 'carts/:cartId/scope', version: '1' })
export class SetScopeController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiCommand({ type: CartResource, description: 'The cart with its scope', errors: CART_ERRORS })
  async set(
    @Param('cartId', ParseUUIDPipe) cartId: string,
    @Body() body: SetScopeRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: Response,
  ) {
    return withRevision(response, await this.commands.execute(new SetScopeCommand(cartId, body.toScope(), context)));
  }
}
