import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601 } from 'class-validator';
import { Clock, SandboxClock } from '@app/clock';
import { notFound } from '@app/domain';

export class SandboxClockResource {
  @ApiProperty({
    example: '2027-12-08T00:05:00.000Z',
    description: 'The time every business decision of this deployment reads',
  })
  now: string;
}

export class MoveSandboxClockRequest {
  @ApiProperty({
    example: '2027-12-08T00:05:00Z',
    description: 'ISO 8601; later than the clock stands (it moves only forward), at most five years on',
  })
  @IsISO8601({ strict: true })
  now: string;
}

export class LifecyclePassResource {
  @ApiProperty({ description: 'The instant the pass ran as of' }) at: string;
  @ApiProperty() priceLocked: number;
  @ApiProperty() renewed: number;
  @ApiProperty() renewalsFailed: number;
  @ApiProperty() expired: number;
  @ApiProperty() paymentsRecorded: number;
}

export class SandboxClockMovedResource extends SandboxClockResource {
  @ApiProperty({ description: 'Where the clock stood before' }) previous: string;
  @ApiProperty({ description: 'Lifecycle passes run: one at each 00:05 UTC crossed, and one at the new time' })
  passesRun: number;
  @ApiProperty({ type: [LifecyclePassResource], description: 'The passes that did something, in order' })
  passes: LifecyclePassResource[];
  @ApiPropertyOptional({
    description: '$all position once everything the move set off was done; send it as X-Min-Position',
  })
  position?: string;
}

export const SANDBOX_CLOCK_OFF = 'SANDBOX_CLOCK_OFF';

/** The sandbox clock of this deployment; 404 where it is off (production, and any deployment without SANDBOX_CLOCK=true). */
export function sandboxClockOf(clock: Clock): SandboxClock {
  if (!(clock instanceof SandboxClock))
    throw notFound(
      SANDBOX_CLOCK_OFF,
      'this deployment has no sandbox clock (SANDBOX_CLOCK=true turns it on outside production)',
    );
  return clock;
}
