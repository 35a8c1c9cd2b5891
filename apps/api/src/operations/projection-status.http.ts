import { CanActivate, Controller, ExecutionContext, Get, Injectable, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiBasicAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { EventStoreDBClient } from '@eventstore/db-client';
import { Request, Response } from 'express';
import { ALL_PROJECTIONS, measureLag, ViewReader } from '@app/projections';
import { Public } from '../auth/api-key.guard';
import { OpsCredentials } from '../auth/ops-credentials';

@Injectable()
export class OpsBasicAuthGuard implements CanActivate {
  constructor(private readonly credentials: OpsCredentials) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (this.credentials.accepts(request.headers.authorization)) return true;
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Basic realm="ops"');
    throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', code: 'OPS_CREDENTIALS_REQUIRED', message: 'operator credentials are required' });
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
