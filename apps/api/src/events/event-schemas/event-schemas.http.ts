import { Controller, Get } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { catalogDocument } from '@app/event-catalog';
import { ApiRead } from '../../http/openapi/api-routes';

const JSON_SCHEMA = { type: 'object', additionalProperties: true, description: 'A JSON Schema (draft-07)' } as const;

export class EventTypeResource {
  @ApiProperty({ example: 'OrderPlaced' }) type: string;
  @ApiProperty({
    example: 1,
    description: 'The version written now; a stored event’s version is metadata.schemaVersion, or 1 when absent',
  })
  version: number;
  @ApiProperty({ example: 'order-{orderId}' }) stream: string;
  @ApiProperty({ example: 'A purchase (after CartPurchased)' }) cause: string;
  @ApiProperty({ ...JSON_SCHEMA, description: 'The schema of data at version' }) schema: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: JSON_SCHEMA, description: 'Every version’s schema, by version' })
  versions: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true }) example: Record<string, unknown>;
}

export class EventCatalogResource {
  @ApiProperty({ example: 'http://json-schema.org/draft-07/schema#' }) $schema: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ ...JSON_SCHEMA, description: 'The schema of every event’s metadata' }) metadata: Record<
    string,
    unknown
  >;
  @ApiProperty({ type: [EventTypeResource] }) events: EventTypeResource[];
}

/** For auditors: every event type, its stream, cause and schema in every version, so any stream decodes without our code. */
@ApiTags('events')
@Controller({ path: 'events/schemas', version: '1' })
export class EventSchemasController {
  private readonly catalog = catalogDocument();

  @Get()
  @ApiRead({
    type: EventCatalogResource,
    description: 'The event catalog; docs/events.md is generated from the same schemas',
  })
  schemas() {
    return this.catalog;
  }
}
