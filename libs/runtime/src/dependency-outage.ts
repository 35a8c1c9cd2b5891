import { CancelledError, DeadlineExceededError, NotLeaderError, UnavailableError } from '@eventstore/db-client';
import MaxRetriesPerRequestError from 'ioredis/built/errors/MaxRetriesPerRequestError';

const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'];

/**
 * Whether an error means a dependency (the event store, Redis) is unreachable
 * right now, as opposed to the work itself being wrong. Such work is retried
 * later without counting against it: an HTTP caller gets 503, a queued job is
 * delayed without using up an attempt.
 */
export function isDependencyOutage(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError
  )
    return true;
  if (error instanceof MaxRetriesPerRequestError) return true;
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  if (code && NETWORK_CODES.includes(code)) return true;
  // ioredis, BullMQ and pg say so only in words when a connection is down and the offline queue is off.
  return /Connection is closed|Stream isn't writeable|enableOfflineQueue|connect ECONNREFUSED|timeout exceeded when trying to connect|Connection terminated/.test(
    message ?? '',
  );
}
