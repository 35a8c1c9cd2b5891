import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventStore } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { dedicatedConnection } from '@app/redis';
import { AppConfig } from '@app/config';
import { ProjectionRunner } from './runner/projection-runner';
import { ViewReader } from './view-reader';
import { ALL_PROJECTIONS } from './views/all-projections';

const RUN_BY_DEFAULT = Symbol('RUN_PROJECTIONS_BY_DEFAULT');

/** Runs every projection in this process when RUN_PROJECTIONS (or the app's default) says so. */
@Injectable()
export class ProjectionSupervisor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private runners: ProjectionRunner[] = [];
  private connections: Redis[] = [];

  constructor(
    private readonly store: EventStore,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(ConfigService) private readonly config: AppConfig,
    @Inject(RUN_BY_DEFAULT) private readonly runByDefault: boolean,
  ) {}

  get running(): readonly ProjectionRunner[] {
    return this.runners;
  }

  onApplicationBootstrap(): void {
    const configured = this.config.get('RUN_PROJECTIONS', { infer: true });
    if (!(configured ?? this.runByDefault)) return;
    for (const projection of ALL_PROJECTIONS) {
      // A connection of its own, named after the projection so that CLIENT LIST tells the runners apart.
      const connection = dedicatedConnection(this.redis, `projection-${projection.name}`, this.logger);
      this.connections.push(connection);
      const runner = new ProjectionRunner(this.store, connection, projection, this.logger);
      this.runners.push(runner);
      runner.start();
    }
    this.logger.log(`running projections: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }
}

@Module({})
export class ProjectionsModule {
  static forRoot(options: { runByDefault: boolean }): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [ViewReader, ProjectionSupervisor, { provide: RUN_BY_DEFAULT, useValue: options.runByDefault }],
      exports: [ViewReader, ProjectionSupervisor],
    };
  }
}
