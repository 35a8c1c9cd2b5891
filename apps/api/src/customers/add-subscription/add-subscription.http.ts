import { HttpStatus, Body, Controller, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CUSTOMER_ERRORS, CustomerResource } from '../customer.resource';
import { AddSubscriptionCommand } from './add-subscription.command';
import { ApiCommand } from '../../http/openapi/api-routes';

export class AddSubscriptionRequest {
  @ApiPropertyOptional({ format: 'uuid', description: 'The Azure subscription id; generated when omitted' })
  @IsOptional()
  @IsUUID()
  subscriptionId?: string;

  @ApiProperty({ example: 'Production' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

@ApiTags('customers')
@Controller({ path: 'customers/:customerId/subscriptions', version: '1' })
export class AddSubscriptionController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: CustomerResource,
    description: 'The customer with its new active subscription',
    errors: CUSTOMER_ERRORS,
  })
  async add(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Body() body: AddSubscriptionRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(new AddSubscriptionCommand(customerId, body.subscriptionId, body.name, context)),
    );
  }
}
