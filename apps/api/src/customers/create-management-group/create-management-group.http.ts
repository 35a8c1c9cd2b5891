import { Body, Controller, HttpStatus, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi/api-routes';
import { IsManagementGroupId } from '../../http/openapi/scope.resource';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CUSTOMER_ERRORS, CustomerResource } from '../customer.resource';
import { CreateManagementGroupCommand } from './create-management-group.command';

export class CreateManagementGroupRequest {
  @ApiProperty({
    example: 'finance',
    description: 'The group’s id, as in Azure: up to 90 letters, digits or _-.(), not ending in a period',
  })
  @IsManagementGroupId()
  managementGroupId: string;

  @ApiProperty({ example: 'Finance' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

@ApiTags('customers')
@Controller({ path: 'customers/:customerId/management-groups', version: '1' })
export class CreateManagementGroupController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: CustomerResource,
    description: 'The customer with its new, empty management group; a repeat with the same name changes nothing',
    errors: CUSTOMER_ERRORS,
  })
  async create(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Body() body: CreateManagementGroupRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(
      response,
      await this.commands.execute(
        new CreateManagementGroupCommand(customerId, body.managementGroupId, body.name, context),
      ),
    );
  }
}
