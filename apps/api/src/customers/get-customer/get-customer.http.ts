import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { PartnerScopedReads } from '@app/ordering';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CustomerResource } from '../customer.resource';

@ApiTags('customers')
@Controller({ path: 'customers/:customerId', version: '1' })
export class GetCustomerController {
  constructor(private readonly reads: PartnerScopedReads) {}

  @Get()
  @ApiOkResponse({ type: CustomerResource })
  async get(@Param('customerId', ParseUUIDPipe) customerId: string, @Ctx() context: RequestContext, @Res({ passthrough: true }) response: Response) {
    const { state, revision } = await this.reads.customer(customerId, context.partnerId);
    return withRevision(response, CustomerResource.of(state, revision));
  }
}
