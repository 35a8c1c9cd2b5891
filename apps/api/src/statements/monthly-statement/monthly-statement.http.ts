import { BadRequestException, Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { FastifyReply, FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import { readStatementMonth, statementsProjection, ViewReader } from '@app/projections';
import { ConsistentReads } from '../../http/consistent-reads';
import { ApiRead } from '../../http/openapi/api-routes';
import { customerFromView } from '../../http/owned-views';
import { Ctx, RequestContext } from '../../http/request-context';
import { CSV_COLUMNS, csvRow, StatementResource } from '../statement.resource';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

@ApiTags('statements')
@Controller({ path: 'customers/:customerId/statements/:month', version: '1' })
export class MonthlyStatementController {
  constructor(
    private readonly views: ViewReader,
    private readonly consistency: ConsistentReads,
  ) {}

  @Get()
  @ApiParam({ name: 'month', example: '2027-03', description: 'YYYY-MM, UTC' })
  @ApiProduces('application/json', 'text/csv')
  @ApiRead({
    type: StatementResource,
    view: true,
    description:
      'What the customer was charged and credited in the month, line by line, with totals per billing subscription and for the customer: ' +
      'the figures to reconcile against Partner Center’s invoice. With Accept: text/csv, the lines as CSV',
    errors: { 400: ['INVALID_MONTH'], 404: ['CUSTOMER_NOT_FOUND'] },
  })
  async statement(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Param('month') month: string,
    @Ctx() context: RequestContext,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<StatementResource | string> {
    if (!MONTH.test(month)) {
      throw new BadRequestException({
        code: 'INVALID_MONTH',
        message: 'month must be YYYY-MM (e.g. 2027-03)',
        errors: [{ field: 'month', messages: ['must be YYYY-MM'] }],
      });
    }
    await this.consistency.ensure(statementsProjection.name, request, response);
    await customerFromView(this.views, customerId, context.partnerId);
    const statement = StatementResource.of(
      customerId,
      month,
      await readStatementMonth(this.views, customerId, month),
      context.now,
    );
    if (new Negotiator(request).mediaType(['application/json', 'text/csv']) !== 'text/csv') return statement;
    void response
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="statement-${customerId}-${month}.csv"`);
    return stringify(statement.lines.map(csvRow), { header: true, columns: [...CSV_COLUMNS] });
  }
}
