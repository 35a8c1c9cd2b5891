export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

const RETRY_FOR_MS = 120_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client that behaves as the API asks upstream services to: every command
 * carries an Idempotency-Key, and a command that got no answer, a 5xx, a 429
 * or a 409 for a concurrent modification is sent again, unchanged, with the
 * same key. Reads carry the highest X-Position seen, to read its own writes.
 */
export class FaultClient {
  retries = 0;
  /** Why requests were retried: status and code, or the network error. */
  readonly retryReasons = new Map<string, number>();
  private position = 0n;

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async send<T = any>(
    method: string,
    path: string,
    body: unknown,
    idempotencyKey: string,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    return this.withRetries(method, path, { 'idempotency-key': idempotencyKey, ...headers }, body);
  }

  /** The highest X-Position this client has been answered with. */
  get seen(): bigint {
    return this.position;
  }

  /** Later reads wait until the views include `position` (e.g. events other processes wrote). */
  readAtLeast(position: bigint): void {
    if (position > this.position) this.position = position;
  }

  async read<T = any>(path: string): Promise<T> {
    return (
      await this.withRetries<T>('GET', path, this.position > 0n ? { 'x-min-position': this.position.toString() } : {})
    ).body;
  }

  /** One attempt, no retry: for tests that look at the refusal itself. */
  async once<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'x-api-key': this.apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const position = response.headers.get('x-position');
    if (position && BigInt(position) > this.position) this.position = BigInt(position);
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  private count(reason: string): void {
    this.retryReasons.set(reason, (this.retryReasons.get(reason) ?? 0) + 1);
  }

  private async withRetries<T>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ): Promise<HttpAnswer<T>> {
    const deadline = Date.now() + RETRY_FOR_MS;
    let last: string;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) this.retries++;
      try {
        const answer = await this.once<T>(method, path, body, headers);
        if (answer.status < 300) return answer;
        last = `${answer.status} ${JSON.stringify(answer.body)}`;
        const retryable =
          answer.status >= 500 ||
          answer.status === 429 ||
          (answer.status === 409 &&
            ['CONCURRENT_MODIFICATION', 'IDEMPOTENCY_KEY_IN_USE'].includes((answer.body as any)?.code));
        if (!retryable) throw new Error(`${method} ${path} answered ${last}`);
        this.count(`${answer.status} ${(answer.body as any)?.code ?? (answer.body as any)?.message}`);
      } catch (error) {
        if ((error as Error).message.startsWith(`${method} ${path} answered`)) throw error;
        last = (error as Error).message;
        this.count(`network: ${last}`);
      }
      if (Date.now() > deadline) throw new Error(`${method} ${path} still failing after ${RETRY_FOR_MS} ms: ${last}`);
      await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
    }
  }
}
