import { DynamicModule, Module } from '@nestjs/common';
import { RUN_BY_DEFAULT, SubscriptionHost } from './subscription-host';
import { ViewReader } from './view-reader';

/** Global: every module reads views through ViewReader, and registers its reactors with the SubscriptionHost. */
@Module({})
export class ProjectionsModule {
  static forRoot(options: { runByDefault: boolean }): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [ViewReader, SubscriptionHost, { provide: RUN_BY_DEFAULT, useValue: options.runByDefault }],
      exports: [ViewReader, SubscriptionHost],
    };
  }
}
