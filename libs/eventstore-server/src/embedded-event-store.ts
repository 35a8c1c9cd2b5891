import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { DEFAULT_LIMITS, EngineLimits, EventStoreEngine } from './engine/event-store-engine';
import { authentication, EmbeddedUser } from './grpc/authentication';
import { gossipService, serverFeaturesService } from './grpc/cluster-services';
import { featuresGrpc, gossipGrpc, streamsGrpc } from './grpc/generated';
import { streamsService } from './grpc/streams-service';

export { EmbeddedUser };

/** PEM files: the certificate (with its chain) and its private key. */
export interface EmbeddedTls {
  certFile: string;
  keyFile: string;
}

export interface EmbeddedEventStoreOptions {
  dataDir: string;
  /** Loopback unless told otherwise; any other address needs `users`. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  log?: (message: string) => void;
  /** Memory beyond the index; the defaults suit a local run. */
  limits?: Partial<EngineLimits>;
  /** Serve delete and tombstone; refused by default (access denied), as the application never deletes. */
  allowDelete?: boolean;
  /** Bytes the unfinished batches of one BatchAppend call may hold. */
  batchAppendBufferBytes?: number;
  /** Callers must present one of these (HTTP Basic). None: the store is open, which only loopback allows. */
  users?: readonly EmbeddedUser[];
  /** Required with users: the official client sends credentials only over TLS. */
  tls?: EmbeddedTls;
}

/** Eight batches at the append limit being sent at once on one call; the official client finishes each batch it starts. */
export const DEFAULT_BATCH_APPEND_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * An EventStoreDB-compatible gRPC server over a durable file log, for tests
 * and local runs. The official client connects to `connectionString`.
 */
export class EmbeddedEventStore {
  private constructor(
    private readonly server: Server,
    private readonly engine: EventStoreEngine,
    readonly host: string,
    readonly port: number,
    private readonly user: EmbeddedUser | undefined,
    private readonly tls: EmbeddedTls | undefined,
  ) {}

  static async start(options: EmbeddedEventStoreOptions): Promise<EmbeddedEventStore> {
    const host = options.host ?? '127.0.0.1';
    const log = options.log ?? (() => undefined);
    const users = options.users ?? [];
    refuseUnsafe(host, users, options.tls);
    // Read before the data directory is taken, so a missing file fails the start cleanly.
    const credentials = options.tls
      ? ServerCredentials.createSsl(
          null,
          [{ cert_chain: readFileSync(options.tls.certFile), private_key: readFileSync(options.tls.keyFile) }],
          false,
        )
      : ServerCredentials.createInsecure();
    const { engine, truncatedBytes } = await EventStoreEngine.open(options.dataDir, {
      ...DEFAULT_LIMITS,
      ...options.limits,
    });
    if (truncatedBytes > 0)
      log(`recovered event log: truncated ${truncatedBytes} bytes of an unacknowledged torn write`);

    const server = new Server({
      'grpc.max_receive_message_length': 16 * 1024 * 1024,
      interceptors: users.length > 0 ? [authentication(users)] : [],
    });
    let bound = { host, port: 0 };
    server.addService(
      streamsGrpc.StreamsService,
      streamsService(engine, {
        allowDelete: options.allowDelete ?? false,
        batchAppendBufferBytes: options.batchAppendBufferBytes ?? DEFAULT_BATCH_APPEND_BUFFER_BYTES,
      }),
    );
    server.addService(featuresGrpc.ServerFeaturesService, serverFeaturesService());
    server.addService(
      gossipGrpc.GossipService,
      gossipService(() => bound),
    );
    try {
      const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${host}:${options.port ?? 0}`, credentials, (error, port) =>
          error ? reject(error) : resolve(port),
        ),
      );
      bound = { host, port };
    } catch (error) {
      await engine.close();
      throw error;
    }
    const security = users.length > 0 ? `, TLS, ${users.length} user(s)` : options.tls ? ', TLS, no users' : '';
    log(
      `embedded event store listening on ${host}:${bound.port}${security} with ${engine.eventCount} events from ${options.dataDir}`,
    );
    return new EmbeddedEventStore(server, engine, host, bound.port, users[0], options.tls);
  }

  /** How the api and worker reach a store they started: as its first user, trusting its certificate. It may hold a password: never log it. */
  get connectionString(): string {
    return embeddedConnectionString({ host: this.host, port: this.port, user: this.user, caFile: this.tls?.certFile });
  }

  get eventCount(): number {
    return this.engine.eventCount;
  }

  /**
   * Cuts every call (subscriptions never end by themselves), then waits for
   * queued log writes to reach disk before releasing the data directory.
   */
  async stop(): Promise<void> {
    this.server.forceShutdown();
    await this.engine.close();
  }
}

/** Stops a start that would leave the store open to the network, or demand credentials no client can send. */
function refuseUnsafe(host: string, users: readonly EmbeddedUser[], tls: EmbeddedTls | undefined): void {
  if (users.length === 0 && !isLoopback(host)) {
    throw new Error(
      `the embedded event store on ${host} (not loopback) needs users: set EVENTSTORE_EMBEDDED_USERS, or listen on 127.0.0.1`,
    );
  }
  if (users.length > 0 && !tls) {
    throw new Error(
      'the embedded event store needs TLS with users, as the official client sends credentials only over TLS: ' +
        'set EVENTSTORE_EMBEDDED_TLS_CERT_FILE and EVENTSTORE_EMBEDDED_TLS_KEY_FILE',
    );
  }
  const names = new Set<string>();
  for (const { username, password } of users) {
    if (!username || username.includes(':') || !password)
      throw new Error('an embedded event store user needs a name without ":" and a password');
    if (names.has(username)) throw new Error(`the embedded event store user ${username} is listed twice`);
    names.add(username);
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The connection string for an embedded store at `host`:`port`. A wildcard
 * address is reached on 127.0.0.1, the name its certificate must carry for
 * the api, the worker and `npm start`. With TLS, the client trusts `caFile`.
 */
export function embeddedConnectionString({
  host,
  port,
  user,
  caFile,
}: {
  host: string;
  port: number;
  user?: EmbeddedUser;
  caFile?: string;
}): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const credentials = user ? `${encodeURIComponent(user.username)}:${encodeURIComponent(user.password)}@` : '';
  const tls = caFile ? `tls=true&tlsCAFile=${encodeURIComponent(resolvePath(caFile))}` : 'tls=false';
  return `esdb://${credentials}${reachable}:${port}?${tls}`;
}
