import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorBody } from '../error-responses';

export class FieldErrorResource {
  @ApiProperty({ example: 'quantity' }) field: string;
  @ApiProperty({ type: [String], example: ['quantity must not be greater than 999'] }) messages: string[];
}

/** The shape of every error answer (see error-responses.ts): a status, a stable code and a sentence. */
export class ErrorBodyResource implements ErrorBody {
  @ApiProperty({ example: 422 }) statusCode: number;
  @ApiProperty({ example: 'Unprocessable Entity' }) error: string;
  @ApiProperty({
    description: 'Stable and machine-readable; each response lists the codes its route can give',
    example: 'NO_ACTIVE_SUBSCRIPTION',
  })
  code: string;
  @ApiProperty({ example: 'customer 0f9c… has no active subscription' }) message: string;
  @ApiPropertyOptional({
    type: [FieldErrorResource],
    description: '400 VALIDATION_FAILED: each field and what is wrong with it',
  })
  errors?: FieldErrorResource[];
  @ApiPropertyOptional({
    description: '409 STALE_REVISION and CONCURRENT_MODIFICATION: the revision to send in If-Match',
    example: '4',
  })
  currentRevision?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Facts to act on the refusal, e.g. REFUND_CAP_EXCEEDED gives the remaining allowance',
  })
  details?: Record<string, unknown>;
}
