import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { FastifyRequest, FastifyReply } from 'fastify';
import { OpsGate } from './ops-gate';

/** Operator routes: basic auth with the ops credentials, failures limited per client address and username (OpsGate). */
@Injectable()
export class OpsBasicAuthGuard implements CanActivate {
  constructor(private readonly gate: OpsGate) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const verdict = await this.gate.check(context.switchToHttp().getRequest<FastifyRequest>());
    if (verdict.admitted) return true;
    const response = context.switchToHttp().getResponse<FastifyReply>();
    for (const [name, value] of Object.entries(verdict.headers)) response.header(name, value);
    throw new HttpException(verdict.body, verdict.status);
  }
}
