import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@app/clock';
import { DomainError, ExchangeRequestedData } from '@app/domain';
import { Exchanges } from '@app/ordering';
import { ProjectedEvent, Reactor } from '@app/projections';
import { causedBy } from '../caused-by';

/**
 * An exchange of reservations of several orders spans their streams: from
 * ExchangeRequested this finishes it as it was asked (holds, the decision on
 * the first order, the holds completed) or, refused, releases what it held.
 * The API does the same at once; this covers a process that died in between.
 */
@Injectable()
export class ExchangeCompletionReactor implements Reactor {
  readonly name = 'exchange-completion';
  readonly eventTypes = ['ExchangeRequested'] as const;
  private readonly logger = new Logger('ExchangeCompletion');

  constructor(
    private readonly exchanges: Exchanges,
    private readonly clock: Clock,
  ) {}

  async react(event: ProjectedEvent): Promise<void> {
    const { exchangeId } = event.data as ExchangeRequestedData;
    try {
      await this.exchanges.finish(exchangeId, causedBy(event, 'system/exchange', 'finish', await this.clock.now()));
    } catch (error) {
      // Refused: the holds went back and the exchange is recorded as failed, which is its end.
      if (!(error instanceof DomainError)) throw error;
      this.logger.log(`exchange ${exchangeId} did not happen (${error.code}); what it held was given back`);
    }
  }
}
