import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { NotificationPayload } from './notification';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Parsed and verified with one of the receiver's secrets; undefined when none verifies. */
  payload?: NotificationPayload;
  /** Which of the secrets verified it (its index). */
  verifiedWith?: number;
  status: number;
  at: number;
}

/**
 * A webhook receiver as an integrator writes one, for the demo, the tests
 * and the bench: it verifies each request with the standardwebhooks library
 * (signature and timestamp) against the secrets it holds, and answers what
 * it is told (2xx by default; 401 when nothing verifies).
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Statuses to answer next, in order (then 204). */
  readonly answers: number[] = [];
  /** Where to redirect requests to, by path. */
  readonly redirects = new Map<string, string>();
  secrets: string[] = [];
  onDelivery?: (received: Received) => void;
  private server?: Server;

  constructor(private port = 0) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = request.url ?? '/';
        const redirect = this.redirects.get(path);
        if (redirect) {
          response.writeHead(307, { location: redirect }).end();
          return;
        }
        let payload: NotificationPayload | undefined;
        let verifiedWith: number | undefined;
        for (const [index, secret] of this.secrets.entries()) {
          try {
            payload = new Webhook(secret).verify(
              body,
              request.headers as Record<string, string>,
            ) as NotificationPayload;
            verifiedWith = index;
            break;
          } catch {
            // not this secret
          }
        }
        const status = payload === undefined ? 401 : (this.answers.shift() ?? 204);
        const received: Received = {
          path,
          headers: request.headers,
          body,
          payload,
          verifiedWith,
          status,
          at: Date.now(),
        };
        this.received.push(received);
        if (status < 300) this.onDelivery?.(received);
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** What was received with a 2xx answer, verified. */
  delivered(path?: string): NotificationPayload[] {
    return this.received
      .filter((entry) => entry.status < 300 && entry.payload && (path === undefined || entry.path === path))
      .map((entry) => entry.payload!);
  }
}
