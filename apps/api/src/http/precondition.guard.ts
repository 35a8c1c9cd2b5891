import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { FastifyRequest } from 'fastify';

export const PRECONDITION_REQUIRED = 'PRECONDITION_REQUIRED';

/**
 * For commands that move money and are not idempotent by nature (returning a
 * quantity, exchanging): a retry after a lost answer would otherwise return
 * or exchange a second time, since nothing tells it from a new request. So
 * the request must carry If-Match (a retry then meets the new revision: 409)
 * or an Idempotency-Key (a retry gets the first answer), and without either
 * it is refused with 428 before anything is read or written.
 */
@Injectable()
class PreconditionGuard implements CanActivate {
  canActivate(execution: ExecutionContext): boolean {
    const { headers } = execution.switchToHttp().getRequest<FastifyRequest>();
    if (headers['if-match'] !== undefined || headers['idempotency-key'] !== undefined) return true;
    throw new HttpException(
      {
        code: PRECONDITION_REQUIRED,
        message:
          'this command moves money and a retry of it would repeat it: send If-Match with the ETag last read, or an Idempotency-Key',
      },
      HttpStatus.PRECONDITION_REQUIRED,
    );
  }
}

export const RequiresPrecondition = () => applyDecorators(UseGuards(PreconditionGuard));
