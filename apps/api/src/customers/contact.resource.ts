import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A customer's contact person. Personal data: held in the contact directory, never in events. */
export class ContactResource {
  @ApiProperty({ format: 'uuid' }) customerId: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiPropertyOptional() phone?: string;
  @ApiProperty() updatedAt: string;
}
