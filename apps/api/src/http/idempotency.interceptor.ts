import { createHash, randomUUID } from 'node:crypto';
import {
  BadRequestException,
  CallHandler,
  ConflictException,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { FastifyRequest, FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { catchError, defer, finalize, from, Observable, of, switchMap, throwError } from 'rxjs';
import { AppConfig } from '@app/config';
import { AuthenticatedRequest } from '../auth/api-key.guard';
import { IdempotencyBudget } from '../budgets/idempotency-budget';
import { canonicalJson } from './canonical-json';
import { requestPath, routePattern } from './route-pattern';

const COMMAND_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const KEY_FORMAT = /^[\x21-\x7e]{1,200}$/;
/** How often, in parts of IDEMPOTENCY_IN_FLIGHT_MS, a running request renews its hold: a renewal or two may be late without losing it. */
const RENEWALS_PER_HOLD = 3;
/** Response headers a replay gives back as the first answer gave them. */
const REPLAYED_HEADERS = ['etag', 'x-position', 'location'];

/** Responses that carry personal data are not kept in Redis; such routes are idempotent by nature and run again. */
export const NO_STORED_RESPONSE = 'idempotency:no-stored-response';
export const NoStoredResponse = () => SetMetadata(NO_STORED_RESPONSE, true);

type Entry =
  | { state: 'in-flight'; fingerprint: string; owner: string }
  | {
      state: 'done';
      fingerprint: string;
      status: number;
      headers: Record<string, string>;
      body?: unknown;
      stored: boolean;
    };

/**
 * Idempotency-Key on every command, after the IETF httpapi draft. A key is
 * scoped to the partner and the route, and remembers the request's
 * fingerprint (method, path, query and body, as canonical JSON, hashed):
 * - the same key and fingerprint again returns the first result;
 * - the same key with another fingerprint answers 422 IDEMPOTENCY_KEY_MISMATCH;
 * - while the first request still runs, a repeat answers 409 IDEMPOTENCY_KEY_IN_USE:
 *   it renews its hold as long as it runs, and a hold no one renews (its process
 *   died) lapses after IDEMPOTENCY_IN_FLIGHT_MS;
 * - a refused command (any error) releases the key: it consumed nothing;
 * - a new key past the partner's budgets (entries, bytes of stored answers)
 *   answers 429 before the command runs, and nothing is kept.
 * Results are kept IDEMPOTENCY_RETENTION_HOURS.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) private readonly config: AppConfig,
    private readonly reflector: Reflector,
    private readonly budget: IdempotencyBudget,
  ) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = execution.switchToHttp().getRequest<AuthenticatedRequest & FastifyRequest>();
    const response = execution.switchToHttp().getResponse<FastifyReply>();
    const raw = request.headers['idempotency-key'];
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (key === undefined || !COMMAND_METHODS.has(request.method) || !request.caller) return next.handle();
    if (!KEY_FORMAT.test(key))
      throw new BadRequestException({
        code: 'INVALID_IDEMPOTENCY_KEY',
        message: 'Idempotency-Key must be 1 to 200 printable ASCII characters',
      });

    const route = `${request.method} ${routePattern(request) ?? requestPath(request)}`;
    const { partnerId } = request.caller;
    // The digest names the entry in the partner's budget too.
    const entry = sha256(`${route}\n${key}`);
    const held: HeldKey = { partnerId, entry, redisKey: `idempotency:${partnerId}:${entry}` };
    // Canonical, so a retry whose JSON orders its keys (or query) differently is the same request.
    const fingerprint = sha256(
      canonicalJson([request.method, requestPath(request), request.query ?? {}, request.body ?? null]),
    );
    const storesBody = !this.reflector.get<boolean>(NO_STORED_RESPONSE, execution.getHandler());
    const owner = randomUUID();
    const inFlightMs = this.config.get('IDEMPOTENCY_IN_FLIGHT_MS', { infer: true });

    return from(this.claim(held, fingerprint, owner, inFlightMs)).pipe(
      switchMap((existing) => {
        if (existing?.state === 'done' && existing.stored) return of(this.replay(existing, response));
        return defer(() => {
          // Held while the command runs, however long: a retry meanwhile is told to wait, not run it again.
          const renewal = setInterval(() => void this.renew(held, owner, inFlightMs), inFlightMs / RENEWALS_PER_HOLD);
          return next.handle().pipe(
            switchMap((body) =>
              from(this.remember(held, owner, fingerprint, response, storesBody ? body : undefined, storesBody)).pipe(
                switchMap(() => of(body)),
              ),
            ),
            catchError((error: unknown) =>
              from(this.release(held, owner)).pipe(switchMap(() => throwError(() => error))),
            ),
            finalize(() => clearInterval(renewal)),
          );
        });
      }),
    );
  }

  /**
   * Takes the key for this request, or answers what the key already holds.
   * A key not held yet is first counted in the partner's budget, which may
   * refuse it (429): then nothing is written under it.
   */
  private async claim(
    held: HeldKey,
    fingerprint: string,
    owner: string,
    inFlightMs: number,
  ): Promise<Extract<Entry, { state: 'done' }> | undefined> {
    const { redisKey } = held;
    const inFlight: Entry = { state: 'in-flight', fingerprint, owner };
    for (let attempt = 0; attempt < 3; attempt++) {
      let stored = await this.redis.get(redisKey);
      if (stored === null) {
        await this.budget.admit(held.partnerId, held.entry, inFlightMs);
        if (await this.redis.set(redisKey, JSON.stringify(inFlight), 'PX', inFlightMs, 'NX')) return undefined;
        // Another request with the key took it meanwhile; its entry is the one counted.
        stored = await this.redis.get(redisKey);
        if (stored === null) continue; // released or expired meanwhile: try to take it
      }
      const entry = JSON.parse(stored) as Entry;
      if (entry.fingerprint !== fingerprint) {
        throw new UnprocessableEntityException({
          code: 'IDEMPOTENCY_KEY_MISMATCH',
          message:
            'this Idempotency-Key was already used with a different request (method, path or body) on this route; use a new key',
        });
      }
      if (entry.state === 'in-flight') {
        throw new ConflictException({
          code: 'IDEMPOTENCY_KEY_IN_USE',
          message: 'a request with this Idempotency-Key is still being processed; retry shortly',
        });
      }
      // Routes whose answer is not kept run again, as their first run did; the key stays theirs.
      if (!entry.stored) return undefined;
      return entry;
    }
    throw new ConflictException({
      code: 'IDEMPOTENCY_KEY_IN_USE',
      message: 'a request with this Idempotency-Key is still being processed; retry shortly',
    });
  }

  private replay(entry: Extract<Entry, { state: 'done' }>, response: FastifyReply): unknown {
    response.status(entry.status);
    for (const [name, value] of Object.entries(entry.headers)) response.header(name, value);
    response.header('Idempotent-Replayed', 'true');
    return entry.body;
  }

  private async remember(
    held: HeldKey,
    owner: string,
    fingerprint: string,
    response: FastifyReply,
    body: unknown,
    stored: boolean,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const name of REPLAYED_HEADERS) {
      const value = response.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const entry: Entry = {
      state: 'done',
      fingerprint,
      status: response.statusCode,
      headers,
      body: stored ? body : undefined,
      stored,
    };
    const retentionMs = this.config.get('IDEMPOTENCY_RETENTION_HOURS', { infer: true }) * 3_600_000;
    const json = JSON.stringify(entry);
    // A request that lost its key (its hold lapsed) leaves the count to the one that holds it.
    if (await this.redis.eval(SET_IF_OWNER, 1, held.redisKey, owner, json, retentionMs)) {
      await this.budget.remember(held.partnerId, held.entry, Buffer.byteLength(json));
    }
  }

  /** Extends the hold, if it is still this request's and still in flight, and its entry in the budget with it. A renewal that fails is made up by the next. */
  private async renew(held: HeldKey, owner: string, inFlightMs: number): Promise<void> {
    try {
      if (await this.redis.eval(RENEW_IF_IN_FLIGHT, 1, held.redisKey, owner, inFlightMs))
        await this.budget.renew(held.partnerId, held.entry, inFlightMs);
    } catch {
      // made up by the next renewal
    }
  }

  private async release(held: HeldKey, owner: string): Promise<void> {
    if (await this.redis.eval(DELETE_IF_OWNER, 1, held.redisKey, owner).catch(() => 0)) {
      await this.budget.forget(held.partnerId, held.entry).catch(() => undefined);
    }
  }
}

/** An Idempotency-Key as kept: its Redis key, and the partner and entry its budget counts it under. */
interface HeldKey {
  partnerId: string;
  entry: string;
  redisKey: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

// Only the request that holds the key may settle it: one that lost it (its hold lapsed) must not overwrite another's.
const OWNED = `local v = redis.call('GET', KEYS[1]) if not v then return 0 end local ok, e = pcall(cjson.decode, v) if not ok or e.owner ~= ARGV[1] then return 0 end`;
const SET_IF_OWNER = `${OWNED} redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1`;
const DELETE_IF_OWNER = `${OWNED} redis.call('DEL', KEYS[1]) return 1`;
const RENEW_IF_IN_FLIGHT = `${OWNED} if e.state ~= 'in-flight' then return 0 end redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1`;
