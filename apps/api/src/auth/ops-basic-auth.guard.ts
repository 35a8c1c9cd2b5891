import { CanActivate, ExecutionContext, HttpException, Injectable } from '@nestjs/common';
import { Request, Response } from 'express';
import { OpsGate } from './ops-gate';

/** Operator routes: basic auth with the ops credentials, failures limited per client address. */
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
