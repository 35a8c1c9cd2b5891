import { Controller, HttpCode, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CUSTOMER_ERRORS, CustomerResource } from '../customer.resource';
import { ChangeSubscriptionStatusCommand } from './change-subscription-status.command';
import { ApiCommand } from '../../http/openapi/api-routes';

@ApiTags('customers')
@Controller({ path: 'customers/:customerId/subscriptions/:subscriptionId', version: '1' })
export class ChangeSubscriptionStatusController {
  constructor(private readonly commands: CommandBus) {}

  @Post('suspend')
  @HttpCode(200)
  @ApiCommand({
    type: CustomerResource,
    description: 'The customer; the subscription no longer gets new reservations',
    errors: CUSTOMER_ERRORS,
  })
  suspend(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Param('subscriptionId', ParseUUIDPipe) subscriptionId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return this.change(customerId, subscriptionId, 'suspend', context, response);
  }

  @Post('reactivate')
  @HttpCode(200)
  @ApiCommand({
    type: CustomerResource,
    description: 'The customer with the subscription active again',
    errors: CUSTOMER_ERRORS,
  })
  reactivate(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Param('subscriptionId', ParseUUIDPipe) subscriptionId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return this.change(customerId, subscriptionId, 'reactivate', context, response);
  }

  private async change(
    customerId: string,
    subscriptionId: string,
    change: 'suspend' | 'reactivate',
    context: RequestContext,
    response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new ChangeSubscriptionStatusCommand(customerId, subscriptionId, change, context)),
    );
  }
}
