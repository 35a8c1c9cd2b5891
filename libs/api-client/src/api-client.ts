import { randomUUID } from 'node:crypto';
import createClient, { Client } from 'openapi-fetch';
import type { paths } from './generated/openapi-schema';

export interface ApiClientOptions {
  /** Where the API is, e.g. http://127.0.0.1:3000 (no /v1). */
  baseUrl: string;
  /** The partner's API key, sent as x-api-key. */
  apiKey: string;
  /** How many times a request answered 429 or 503, or not answered at all, is sent again; 5 by default. */
  retries?: number;
  /** The longest wait between two tries, whatever Retry-After says; 30 s by default. A 429 asking for longer (a partner budget) is not retried. */
  maxRetryDelayMs?: number;
  /** Send the highest X-Position seen as X-Min-Position on reads, to read one's own writes from the views; on by default. */
  readOwnWrites?: boolean;
  /** The fetch to send with (tests pass one that checks each answer); globalThis.fetch by default. */
  fetch?: (request: Request) => Promise<Response>;
  /** Told before each retry: what was answered and how long it waits. */
  onRetry?: (retry: { request: Request; status?: number; error?: unknown; attempt: number; delayMs: number }) => void;
}

export type ApiClient = Client<paths> & {
  /** The highest $all position a command answered with (X-Position). */
  readonly position: bigint;
};

const COMMANDS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A typed client of the reservation orders API, generated from its OpenAPI
 * document (openapi-typescript types, openapi-fetch calls), as the API asks
 * upstream services to call it (docs/api.md):
 * - every command carries an Idempotency-Key (one is made when the caller
 *   gives none), the same on each retry, so a retry never applies twice;
 * - 429 and 503, and a request with no answer, are sent again after
 *   Retry-After (or a short backoff), up to `retries` times; a 429 whose
 *   Retry-After is past the longest wait (a budget that frees in hours) is
 *   answered at once.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const send = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const retries = options.retries ?? 5;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  let position = 0n;

  async function fetchWithRetries(original: Request): Promise<Response> {
    const request = original.clone();
    if (!request.headers.has('x-api-key')) request.headers.set('x-api-key', options.apiKey);
    if (COMMANDS.has(request.method) && !request.headers.has('idempotency-key'))
      request.headers.set('idempotency-key', randomUUID());
    if (
      request.method === 'GET' &&
      (options.readOwnWrites ?? true) &&
      position > 0n &&
      !request.headers.has('x-min-position')
    ) {
      request.headers.set('x-min-position', position.toString());
    }
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      let error: unknown;
      try {
        response = await send(request.clone());
      } catch (caught) {
        error = caught;
      }
      const retryable =
        response === undefined ||
        response.status === 503 ||
        (response.status === 429 && !((retryAfterMs(response) ?? 0) > maxDelay));
      if (!retryable || attempt > retries) {
        if (response === undefined) throw error;
        const written = response.headers.get('x-position');
        if (written && /^\d+$/.test(written) && BigInt(written) > position) position = BigInt(written);
        return response;
      }
      const delayMs = Math.min(maxDelay, retryAfterMs(response) ?? 100 * 2 ** (attempt - 1));
      options.onRetry?.({ request, status: response?.status, error, attempt, delayMs });
      await response?.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/$/, ''), fetch: fetchWithRetries });
  return Object.defineProperty(client, 'position', { get: () => position }) as ApiClient;
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
function retryAfterMs(response: Response | undefined): number | undefined {
  const value = response?.headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
