import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class SignatureResource {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: 'Ed25519';
  @ApiProperty({
    description: 'First 16 hex characters of SHA-256 over the raw public key',
    example: '3f9a0c1d2e4b5a69',
  })
  keyId: string;
  @ApiProperty({
    description: 'Base64 Ed25519 signature over the canonical JSON (RFC 8785) of the document without `signature`',
  })
  value: string;
}

/** GET /v1/audit/public-key. */
export class AuditPublicKeyResource {
  @ApiProperty({ enum: ['Ed25519'] }) algorithm: 'Ed25519';
  @ApiProperty({ example: '3f9a0c1d2e4b5a69' }) keyId: string;
  @ApiProperty({ description: 'The raw 32-byte public key, base64' }) publicKey: string;
  @ApiProperty({ description: 'The same key as SPKI PEM' }) publicKeyPem: string;
}

export class AuditAnchorResource {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ description: 'Events of the customer’s history up to and including `position`', minimum: 1 })
  count: number;
  @ApiProperty({ description: '$all position of the last of them', example: '184467' }) position: string;
  @ApiProperty({ description: 'The audit chain’s value after them (64 hex characters)' }) chain: string;
  @ApiProperty({ description: 'When the daily job recorded it, on the deployment’s Clock' }) recordedAt: string;
}

/** GET /v1/audit/anchors. */
export class AuditAnchorListResource {
  @ApiProperty({ enum: ['anchors'] }) kind: 'anchors';
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty({ type: [AuditAnchorResource], description: 'Oldest first' }) anchors: AuditAnchorResource[];
  @ApiProperty({ description: 'When listed, on the Clock' }) listedAt: string;
  @ApiProperty({ type: SignatureResource }) signature: SignatureResource;
}

/** One line of the NDJSON export (the header and the trailer are lines too; docs/audit.md). */
export class AuditExportLineResource {
  @ApiPropertyOptional({ enum: ['header', 'trailer'], description: 'On the first and the last line only' })
  kind?: string;
  @ApiPropertyOptional({ description: 'The event’s id' }) id?: string;
  @ApiPropertyOptional({ description: '$all position, decimal' }) position?: string;
  @ApiPropertyOptional() stream?: string;
  @ApiPropertyOptional() revision?: number;
  @ApiPropertyOptional() type?: string;
  @ApiPropertyOptional() schemaVersion?: number;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) data?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'sha256(previous chain ‖ canonical JSON of the line without chain), hex' })
  chain?: string;
}
