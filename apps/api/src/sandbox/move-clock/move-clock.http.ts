import { Body, Controller, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { ApiCommand } from '../../http/openapi/api-routes';
import { Ctx, RequestContext } from '../../http/request-context';
import { MoveSandboxClockRequest, SANDBOX_CLOCK_OFF, SandboxClockMovedResource } from '../sandbox-clock.resource';
import { MoveSandboxClockCommand } from './move-clock.command';

@ApiTags('sandbox')
@Controller({ path: 'sandbox/clock', version: '1' })
export class MoveSandboxClockController {
  constructor(private readonly commands: CommandBus) {}

  @Put()
  @ApiCommand({
    type: SandboxClockMovedResource,
    revision: false,
    ifMatch: false,
    description:
      'Moves the sandbox clock forward and runs the lifecycle pass (payments, price locks, renewals, expiry) at each 00:05 UTC crossed and at the new time, in order; answers once all of it is done',
    errors: { 404: [SANDBOX_CLOCK_OFF], 409: ['CLOCK_BACKWARDS'], 422: ['CLOCK_MOVE_TOO_FAR'] },
  })
  async move(
    @Body() body: MoveSandboxClockRequest,
    @Ctx() context: RequestContext,
    @Res({ passthrough: true }) response: FastifyReply,
  ) {
    const moved = await this.commands.execute(new MoveSandboxClockCommand(body.now, context));
    if (moved.position) response.header('X-Position', moved.position);
    return moved;
  }
}
