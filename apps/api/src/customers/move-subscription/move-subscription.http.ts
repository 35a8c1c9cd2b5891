import { Body, Controller, Delete, Param, ParseUUIDPipe, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi/api-routes';
import { IsManagementGroupId } from '../../http/openapi/scope.resource';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CUSTOMER_ERRORS, CustomerResource } from '../customer.resource';
import { MoveSubscriptionCommand } from './move-subscription.command';

export class MoveSubscriptionRequest {
  @ApiProperty({ example: 'finance', description: 'One of the customer’s management groups' })
  @IsManagementGroupId()
  managementGroupId: string;
}

/** A subscription sits in at most one management group; moving it ends its membership of the one before. */
@ApiTags('customers')
@Controller({ path: 'customers/:customerId/subscriptions/:subscriptionId/management-group', version: '1' })
export class MoveSubscriptionController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiCommand({
    type: CustomerResource,
    description:
      'The customer with the subscription in the group; management-group reservations apply to it from the next whole hour',
    errors: CUSTOMER_ERRORS,
  })
  async move(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Param('subscriptionId', ParseUUIDPipe) subscriptionId: string,
    @Body() body: MoveSubscriptionRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(
        new MoveSubscriptionCommand(customerId, subscriptionId, body.managementGroupId, context),
      ),
    );
  }

  @Delete()
  @ApiCommand({
    type: CustomerResource,
    description:
      'The customer with the subscription in no group; a group left with no subscription sends its reservations to shared scope',
    errors: CUSTOMER_ERRORS,
  })
  async remove(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Param('subscriptionId', ParseUUIDPipe) subscriptionId: string,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new MoveSubscriptionCommand(customerId, subscriptionId, null, context)),
    );
  }
}
