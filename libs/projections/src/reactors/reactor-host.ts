import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import { EventStore } from '@app/eventstore-client';
import { Redis } from 'ioredis';
import { dedicatedConnection } from '@app/redis';
import { ProjectionRunner } from '../runner/projection-runner';
import { Reactor } from './reactor';
import { reactorCommit } from './reactor-commit';

const REACTORS = Symbol('REACTORS');

/**
 * Runs a module's reactors, each with a runner of its own: the projection
 * runner's lease (one replica at a time), fence and checkpoint, on a Redis
 * connection of its own, with the reactor's commit instead of view writes.
 */
@Injectable()
export class ReactorHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reactors');
  private readonly running: Array<{ runner: ProjectionRunner; connection: Redis }> = [];

  constructor(
    private readonly store: EventStore,
    @Inject(Redis) private readonly redis: Redis,
    @Inject(REACTORS) private readonly reactors: Reactor[],
  ) {}

  onApplicationBootstrap(): void {
    for (const reactor of this.reactors) {
      const connection = dedicatedConnection(this.redis, reactor.name, this.logger);
      const follower = { name: reactor.name, eventTypes: reactor.eventTypes, reads: () => [], apply: () => [] };
      const runner = new ProjectionRunner(
        this.store,
        connection,
        follower,
        this.logger,
        reactorCommit((event) => reactor.react(event)),
      );
      this.running.push({ runner, connection });
      runner.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.running.map(async ({ runner, connection }) => {
        await runner.stop();
        await connection.quit().catch(() => undefined);
      }),
    );
  }
}

/** The providers that run these reactors in a module: the reactors themselves and a host for them. */
export function reactorProviders(...reactors: Array<Type<Reactor>>): Provider[] {
  return [...reactors, { provide: REACTORS, inject: reactors, useFactory: (...instances: Reactor[]) => instances }, ReactorHost];
}
