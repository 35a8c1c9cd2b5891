import { Server, ServerCredentials } from '@grpc/grpc-js';
import { DEFAULT_LIMITS, EngineLimits, EventStoreEngine } from './engine/event-store-engine';
import { gossipService, serverFeaturesService } from './grpc/cluster-services';
import { featuresGrpc, gossipGrpc, streamsGrpc } from './grpc/generated';
import { streamsService } from './grpc/streams-service';

export interface EmbeddedEventStoreOptions {
  dataDir: string;
  /** Loopback unless told otherwise: the embedded store has no authentication. */
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
  ) {}

  static async start(options: EmbeddedEventStoreOptions): Promise<EmbeddedEventStore> {
    const host = options.host ?? '127.0.0.1';
    const log = options.log ?? (() => undefined);
    const { engine, truncatedBytes } = await EventStoreEngine.open(options.dataDir, { ...DEFAULT_LIMITS, ...options.limits });
    if (truncatedBytes > 0) log(`recovered event log: truncated ${truncatedBytes} bytes of an unacknowledged torn write`);

    const server = new Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
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
        server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
      );
      bound = { host, port };
    } catch (error) {
      await engine.close();
      throw error;
    }
    log(`embedded event store listening on ${host}:${bound.port} with ${engine.eventCount} events from ${options.dataDir}`);
    return new EmbeddedEventStore(server, engine, host, bound.port);
  }

  get connectionString(): string {
    return `esdb://${this.host}:${this.port}?tls=false`;
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
