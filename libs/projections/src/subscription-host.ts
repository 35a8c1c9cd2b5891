import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Provider,
  Type,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventStore } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { dedicatedConnection } from '@app/redis';
import { AppConfig } from '@app/config';
import { projector } from './projector/projector';
import { Reactor } from './reactors/reactor';
import { reactorHandler } from './reactors/reactor-handler';
import { SubscriptionRunner } from './runner/subscription-runner';
import { ALL_PROJECTIONS } from './views/all-projections';

/** Whether the app runs the views when RUN_PROJECTIONS is unset. */
export const RUN_BY_DEFAULT = Symbol('RUN_PROJECTIONS_BY_DEFAULT');

/**
 * Runs this process's handlers on one subscription runner: every view when
 * RUN_PROJECTIONS (or the app's default) says so, and the reactors its
 * modules register (`reactorProviders`), wherever they are registered.
 */
@Injectable()
export class SubscriptionHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly reactors: Reactor[] = [];
  private connection: Redis | undefined;
  private started: SubscriptionRunner | undefined;

  constructor(
    private readonly store: EventStore,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) private readonly config: AppConfig,
    @Inject(RUN_BY_DEFAULT) private readonly runByDefault: boolean,
  ) {}

  /** The runner, once the application has started, when this process runs any handler. */
  get runner(): SubscriptionRunner | undefined {
    return this.started;
  }

  /** Called as the modules' providers are made, all before the application starts. */
  register(reactors: Reactor[]): void {
    this.reactors.push(...reactors);
  }

  onApplicationBootstrap(): void {
    const runViews = this.config.get('RUN_PROJECTIONS', { infer: true }) ?? this.runByDefault;
    const handlers = [...(runViews ? ALL_PROJECTIONS.map(projector) : []), ...this.reactors.map(reactorHandler)];
    if (handlers.length === 0) return;
    // A connection of its own, so that CLIENT LIST tells the runner apart.
    this.connection = dedicatedConnection(this.redis, 'subscription-runner', this.logger);
    this.started = new SubscriptionRunner(this.store, this.connection, handlers, this.logger);
    this.started.start();
    this.logger.log(
      `running on one $all subscription: ${handlers.map((handler) => `${handler.name} (${handler.kind})`).join(', ')}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.started?.stop();
    await this.connection?.quit().catch(() => this.connection?.disconnect());
  }
}

/**
 * The providers of a module's reactors: the reactors themselves, handed to
 * the process's SubscriptionHost, which runs them with every other handler
 * on its one subscription runner.
 */
export function reactorProviders(...reactors: Array<Type<Reactor>>): Provider[] {
  const registered = Symbol(`reactors ${reactors.map((reactor) => reactor.name).join(', ')}`);
  return [
    ...reactors,
    {
      provide: registered,
      inject: [SubscriptionHost, ...reactors],
      useFactory: (host: SubscriptionHost, ...instances: Reactor[]) => {
        host.register(instances);
        return instances;
      },
    },
  ];
}
