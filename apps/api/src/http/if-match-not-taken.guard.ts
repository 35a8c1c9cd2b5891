import { BadRequestException, CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';

export const IF_MATCH_NOT_SUPPORTED = 'IF_MATCH_NOT_SUPPORTED';

/**
 * For commands that no single stream revision guards (a creation, a change
 * of several streams, data kept outside the event store): an If-Match they
 * ignored would promise the caller a check that never happens, so it is
 * refused before anything is read or written.
 */
@Injectable()
export class IfMatchNotTakenGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    if (execution.switchToHttp().getRequest<FastifyRequest>().headers['if-match'] === undefined) return true;
    throw new BadRequestException({
      code: IF_MATCH_NOT_SUPPORTED,
      message:
        'this command is not decided on one revision an ETag names, so If-Match cannot be checked; send it without If-Match',
    });
  }
}
