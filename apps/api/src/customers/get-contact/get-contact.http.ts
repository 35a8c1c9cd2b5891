import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { customerDecider, customerStream, notFound } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedCustomer } from '@app/ordering';
import { ContactDirectory } from '@app/personal-data';
import { Ctx, RequestContext } from '../../http/request-context';
import { ContactResource } from '../contact.resource';
import { ApiRead } from '../../http/openapi/api-routes';
import { PersonalData } from '../../auth/redaction';

@ApiTags('customers')
@Controller({ path: 'customers/:customerId/contact', version: '1' })
export class GetContactController {
  constructor(
    private readonly streams: EventStreams,
    private readonly contacts: ContactDirectory,
  ) {}

  @Get()
  @PersonalData('name', 'email', 'phone')
  @ApiRead({
    type: ContactResource,
    description: "The customer's contact person; name, e-mail and phone are `[redacted]` for an auditor key",
    errors: { 404: ['CUSTOMER_NOT_FOUND', 'CONTACT_NOT_FOUND'] },
  })
  async get(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Ctx() context: RequestContext,
  ): Promise<ContactResource> {
    const { state } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    ownedCustomer(state, customerId, context.partnerId);
    const contact = await this.contacts.get(customerId, context.partnerId);
    if (!contact) throw notFound('CONTACT_NOT_FOUND', `customer ${customerId} has no contact on record`);
    return contact;
  }
}
