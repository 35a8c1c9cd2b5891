import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Scope } from '@app/domain';

/** Where a reservation's discount applies: one subscription, or all of the customer's. */
export class ScopeResource {
  @ApiProperty({ enum: ['single', 'shared'] }) type: Scope['type'];
  @ApiPropertyOptional({ format: 'uuid', description: 'Only for a single scope' }) subscriptionId?: string;
}
