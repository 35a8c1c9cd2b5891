import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Clock } from '@app/clock';
import { ApiRead } from '../../http/openapi/api-routes';
import { Ctx, RequestContext } from '../../http/request-context';
import { SANDBOX_CLOCK_OFF, sandboxClockOf, SandboxClockResource } from '../sandbox-clock.resource';

@ApiTags('sandbox')
@Controller({ path: 'sandbox/clock', version: '1' })
export class GetSandboxClockController {
  constructor(private readonly clock: Clock) {}

  @Get()
  @ApiRead({
    type: SandboxClockResource,
    description: 'Where the sandbox clock stands',
    errors: { 404: [SANDBOX_CLOCK_OFF] },
  })
  get(@Ctx() context: RequestContext): SandboxClockResource {
    sandboxClockOf(this.clock);
    return { now: context.now };
  }
}
