import { Provider, Type } from '@nestjs/common';
import { SubscriptionHost } from '../projections.module';
import { Reactor } from './reactor';

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
