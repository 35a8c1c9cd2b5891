import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { customersProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { customerFromView } from '../../http/owned-views';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CustomerResource } from '../customer.resource';

@ApiTags('customers')
@Controller({ path: 'customers/:customerId', version: '1' })
export class GetCustomerController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiHeader({ name: 'X-Min-Position', required: false, description: 'Wait until the view includes this write position' })
  @ApiOkResponse({ type: CustomerResource })
  async get(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Ctx() context: RequestContext,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    await this.consistency.ensure(customersProjection.name, request, response);
    const { customer, revision } = await customerFromView(this.views, customerId, context.partnerId);
    return withRevision(response, CustomerResource.of(customer, revision));
  }
}
