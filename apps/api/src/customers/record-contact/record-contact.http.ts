import { Body, Controller, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NoStoredResponse } from '../../http/idempotency.interceptor';
import { Ctx, RequestContext } from '../../http/request-context';
import { ContactResource } from '../contact.resource';
import { RecordContactCommand } from './record-contact.command';
import { ApiCommand } from '../../http/openapi/api-routes';

export class RecordContactRequest {
  @ApiProperty({ example: 'Jane Doe' }) @IsString() @IsNotEmpty() @MaxLength(200) name: string;
  @ApiProperty({ example: 'jane.doe@contoso.example' }) @IsEmail() @MaxLength(320) email: string;
  @ApiPropertyOptional({ example: '+44 20 7946 0000' })
  @IsOptional()
  @Matches(/^\+?[0-9 ()-]{5,30}$/, {
    message: 'phone must be digits, spaces, brackets and dashes, with an optional leading +',
  })
  phone?: string;
}

@ApiTags('customers')
@Controller({ path: 'customers/:customerId/contact', version: '1' })
export class RecordContactController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @NoStoredResponse()
  @ApiCommand({
    type: ContactResource,
    description:
      "The customer's contact person, stored outside the event store. 409 PERSONAL_DATA_ERASED once the customer's personal data was erased",
    revision: false,
    ifMatch: false,
    errors: { 404: ['CUSTOMER_NOT_FOUND'], 409: ['PERSONAL_DATA_ERASED'] },
  })
  async record(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Body() body: RecordContactRequest,
    @Ctx() context: RequestContext,
  ): Promise<ContactResource> {
    return this.commands.execute(
      new RecordContactCommand(customerId, { name: body.name, email: body.email, phone: body.phone }, context),
    );
  }
}
