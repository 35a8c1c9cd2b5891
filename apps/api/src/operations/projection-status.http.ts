import { CanActivate, Controller, ExecutionContext, Get, HttpException, Injectable, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Request, Response } from 'express';
import { ALL_PROJECTIONS, measureLag, ViewReader } from '@app/projections';
import { Public } from '../auth/api-key.guard';
import { OpsGate } from '../auth/ops-gate';

@Injectable()
export class OpsBasicAuthGuard implements CanActivate {
  constructor(private readonly gate: OpsGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const verdict = await this.gate.check(context.switchToHttp().getRequest<Request>());
    if (verdict.admitted) return true;
    const response = context.switchToHttp().getResponse<Response>();
    for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
    throw new HttpException(verdict.body, verdict.status);
  }
}

/** Every projection: which replica runs it, its state, checkpoint and lag. */
@ApiTags('operations')
@ApiBasicAuth()
@Public()
@UseGuards(OpsBasicAuthGuard)
@Controller('ops/projections')
export class ProjectionStatusController {
  constructor(
    private readonly views: ViewReader,
    private readonly client: EventStoreDBClient,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'State, owner, checkpoint, events behind and seconds behind of each projection' })
  async list() {
    return Promise.all(
      ALL_PROJECTIONS.map(async (projection) => {
        const [replicas, lag] = await Promise.all([this.views.statuses(projection.name), measureLag(this.client, this.views, projection)]);
        const active = replicas.find((status) => status.state !== 'standby');
        return { name: projection.name, state: active?.state ?? 'not running', error: active?.error, replicas, ...lag };
      }),
    );
  }
}
