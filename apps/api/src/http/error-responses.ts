import { STATUS_CODES } from 'node:http';
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@app/domain';
import { ConcurrencyError } from '@app/eventstore-client';
import { isDependencyOutage } from '@app/runtime';
import { BudgetExceeded } from '../budgets/budget-exceeded';
import { requestId } from './correlation-id';
import { httpStatusOf } from './error-status';

/** The shape of every error answer: a status, a stable code and a sentence. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  errors?: Array<{ field: string; messages: string[] }>;
  currentRevision?: string;
  details?: Record<string, unknown>;
}

const REASON: Partial<Record<number, string>> = { 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity' };

/** Turns refusals from the domain and the event store into HTTP answers. */
@Catch(DomainError, ConcurrencyError)
export class DomainErrorFilter implements ExceptionFilter {
  catch(error: DomainError | ConcurrencyError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    let body: ErrorBody;
    if (error instanceof ConcurrencyError) {
      body = {
        statusCode: HttpStatus.CONFLICT,
        error: 'Conflict',
        code: error.expectedRevision === undefined ? 'CONCURRENT_MODIFICATION' : 'STALE_REVISION',
        message: error.message,
        currentRevision: error.currentRevision.toString(),
      };
      response.header('ETag', `"${error.currentRevision}"`);
    } else {
      const statusCode = httpStatusOf(error);
      body = {
        statusCode,
        error: REASON[statusCode]!,
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      };
    }
    response.status(body.statusCode).send(body);
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Gives every HTTP error the same shape as the domain's: Nest's own (a path
 * id that is not a UUID, malformed JSON, an unknown route) lack a code.
 */
@Catch(HttpException)
export class HttpErrorFilter implements ExceptionFilter {
  catch(error: HttpException, host: ArgumentsHost): void {
    const statusCode = error.getStatus();
    const raw = error.getResponse();
    const fields =
      typeof raw === 'string' ? { message: raw } : (raw as Partial<ErrorBody> & { message?: string | string[] });
    const message = Array.isArray(fields.message) ? fields.message.join('; ') : (fields.message ?? error.message);
    const body: ErrorBody = {
      ...fields,
      statusCode,
      // The reason phrase ("Unprocessable Entity"), not the exception's class name.
      error: fields.error ?? STATUS_CODES[statusCode] ?? error.name,
      code: fields.code ?? CODE_BY_STATUS[statusCode] ?? `HTTP_${statusCode}`,
      message,
    };
    const response = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof BudgetExceeded) response.header('Retry-After', String(error.retryAfterSeconds));
    response.status(statusCode).send(body);
  }
}

/** Strict body validation: unknown fields are errors, and each message names its field. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: fields.map((f) => f.messages.join('; ')).join('; '),
        errors: fields,
      } satisfies ErrorBody);
    },
  });
}

function flatten(errors: ValidationError[], parent = ''): Array<{ field: string; messages: string[] }> {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Everything no other filter claims. A dependency outage (event store, Redis,
 * PostgreSQL) is a 503 with Retry-After: the command was not applied, or was
 * applied and a retry with the same Idempotency-Key returns its result.
 * Anything else is a 500 whose details go to the log, not to the caller.
 */
@Catch()
export class UnexpectedErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<FastifyReply>();
    let body: ErrorBody;
    if (isDependencyOutage(error)) {
      this.logger.warn(`dependency unavailable: ${(error as Error).message}`);
      response.header('Retry-After', '1');
      body = {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'Service Unavailable',
        code: 'DEPENDENCY_UNAVAILABLE',
        message:
          'the event store, Redis or PostgreSQL is unreachable for the moment; retry with the same Idempotency-Key',
      };
    } else {
      this.logger.error(error instanceof Error ? error : String(error));
      body = {
        statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
        error: 'Internal Server Error',
        code: 'INTERNAL_ERROR',
        message: `an unexpected error occurred; it is logged under correlation id ${requestId(host.switchToHttp().getRequest<FastifyRequest>())}`,
      };
    }
    response.status(body.statusCode).send(body);
  }
}
