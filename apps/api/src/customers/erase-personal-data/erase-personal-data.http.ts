import { Controller, Delete, HttpCode, HttpStatus, Param, ParseUUIDPipe } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Ctx, RequestContext } from '../../http/request-context';
import { ErasePersonalDataCommand } from './erase-personal-data.command';
import { ApiCommand } from '../../http/openapi/api-routes';

@ApiTags('customers')
@Controller({ path: 'customers/:customerId/personal-data', version: '1' })
export class ErasePersonalDataController {
  constructor(private readonly commands: CommandBus) {}

  @Delete()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiCommand({
    status: HttpStatus.NO_CONTENT,
    description: "The customer's personal data is erased; the erasure is recorded as an event without it",
    revision: false,
    ifMatch: false,
    body: false,
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
  })
  async erase(@Param('customerId', ParseUUIDPipe) customerId: string, @Ctx() context: RequestContext): Promise<void> {
    await this.commands.execute(new ErasePersonalDataCommand(customerId, context));
  }
}
