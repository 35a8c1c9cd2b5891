import { HttpStatus, Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { FastifyReply } from 'fastify';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CUSTOMER_ERRORS, CustomerResource } from '../customer.resource';
import { RegisterCustomerCommand } from './register-customer.command';
import { ApiCommand } from '../../http/openapi/api-routes';

export class RegisterCustomerRequest {
  @ApiProperty({
    example: 'Contoso Ltd',
    description:
      "The customer company's legal name. Not a person's name: contact people go to PUT /v1/customers/{customerId}/contact, outside the event store",
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

@ApiTags('customers')
@Controller({ path: 'customers', version: '1' })
export class RegisterCustomerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @ApiCommand({
    status: HttpStatus.CREATED,
    type: CustomerResource,
    description: 'The customer, registered',
    errors: CUSTOMER_ERRORS,
    ifMatch: false,
  })
  async register(
    @Body() body: RegisterCustomerRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    return withRevision(response, await this.commands.execute(new RegisterCustomerCommand(body.name, context)));
  }
}
