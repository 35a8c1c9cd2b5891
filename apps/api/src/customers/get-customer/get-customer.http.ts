import { Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest, FastifyReply } from 'fastify';
import { customersProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { customerFromView } from '../../http/owned-views';
import { Ctx, RequestContext } from '../../http/request-context';
import { withRevision } from '../../http/revision-header';
import { CUSTOMER_ERRORS, CustomerResource } from '../customer.resource';
import { ApiRead } from '../../http/openapi/api-routes';

@ApiTags('customers')
@Controller({ path: 'customers/:customerId', version: '1' })
export class GetCustomerController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiRead({
    type: CustomerResource,
    description: 'The customer and its subscriptions, from the customers view',
    view: true,
    revision: true,
    errors: CUSTOMER_ERRORS,
  })
  async get(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    await this.consistency.ensure(customersProjection.name, request, response);
    const { customer, revision } = await customerFromView(this.views, customerId, context.partnerId);
    return withRevision(response, CustomerResource.of(customer, revision));
  }
}
