import { Controller, Get, Param, ParseUUIDPipe, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiProduces, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { Readable } from 'node:stream';
import { FastifyReply } from 'fastify';
import { anchorsOf, AnchorListBody } from '@app/audit';
import { customerDecider, customerStream } from '@app/domain';
import { EventStreams } from '@app/eventstore-client';
import { ownedCustomer } from '@app/ordering';
import { iso8601Instant, IsIso8601Date } from '../http/iso-8601';
import { ApiRead } from '../http/openapi/api-routes';
import { Ctx, RequestContext } from '../http/request-context';
import { AuditExport } from './audit-export';
import { AuditKey } from './audit-key';
import { AuditAnchorListResource, AuditExportLineResource, AuditPublicKeyResource } from './audit.resources';

export class AuditExportQuery {
  @ApiPropertyOptional({
    description:
      'ISO 8601: the export starts after the last anchor recorded at or before it (from the first event without one)',
  })
  @IsOptional()
  @IsIso8601Date()
  from?: string;
  @ApiPropertyOptional({ description: 'ISO 8601: the export stops before the first event recorded after it' })
  @IsOptional()
  @IsIso8601Date()
  to?: string;
}

export class AuditAnchorsQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId: string;
}

const iso = (value: string | undefined) =>
  value === undefined ? undefined : new Date(iso8601Instant(value)).toISOString();

/** The auditors' door (docs/audit.md): the signed, hash-chained export of a customer's history, the anchors, and the key that signs both. */
@ApiTags('audit')
@Controller({ version: '1' })
export class AuditController {
  constructor(
    private readonly streams: EventStreams,
    private readonly exports: AuditExport,
    private readonly key: AuditKey,
  ) {}

  @Get('customers/:customerId/audit-export')
  @ApiProduces('application/x-ndjson')
  @ApiRead({
    role: 'auditor',
    type: AuditExportLineResource,
    description:
      'Every event of the customer’s history in $all order, one JSON line each, hash-chained, between a header line and a trailer line signed with the ' +
      'deployment’s audit key (Ed25519), streamed as NDJSON. `npm run audit:verify` checks it offline; docs/audit.md says what it holds',
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
  })
  async export(
    @Param('customerId', ParseUUIDPipe) customerId: string,
    @Query() query: AuditExportQuery,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ): Promise<StreamableFile> {
    await this.owned(customerId, context);
    const lines = await this.exports.prepare(
      { customerId, partnerId: context.partnerId, from: iso(query.from), to: iso(query.to), now: context.now },
      response,
    );
    return new StreamableFile(Readable.from(lines, { objectMode: false, highWaterMark: 64 * 1024 }), {
      type: 'application/x-ndjson',
      disposition: `attachment; filename="audit-${customerId}.ndjson"`,
    });
  }

  @Get('audit/public-key')
  @ApiRead({
    role: 'auditor',
    type: AuditPublicKeyResource,
    description: 'The public half of the deployment’s audit key, which signs export trailers and anchor lists',
  })
  publicKey(): AuditPublicKeyResource {
    return this.key.get().publicKeyDocument();
  }

  @Get('audit/anchors')
  @ApiRead({
    role: 'auditor',
    type: AuditAnchorListResource,
    description:
      'The customer’s anchors (its audit chain’s head, recorded daily by the worker), oldest first, signed with the audit key',
    errors: { 404: ['CUSTOMER_NOT_FOUND'] },
  })
  async anchors(
    @Query() { customerId }: AuditAnchorsQuery,
    @Ctx() context: RequestContext,
  ): Promise<AuditAnchorListResource> {
    await this.owned(customerId, context);
    const body: AnchorListBody = {
      kind: 'anchors',
      customerId,
      anchors: await anchorsOf(this.streams, customerId),
      listedAt: context.now,
    };
    return this.key.get().sign(body);
  }

  /** Another partner's customer answers as an unknown one. */
  private async owned(customerId: string, context: RequestContext): Promise<void> {
    const { state } = await this.streams.aggregate(customerStream(customerId), customerDecider);
    ownedCustomer(state, customerId, context.partnerId);
  }
}
