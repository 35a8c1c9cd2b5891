import { Module } from '@nestjs/common';
import { EventSchemasController } from './event-schemas/event-schemas.http';

/** What auditors read about the events themselves. */
@Module({ controllers: [EventSchemasController] })
export class EventsModule {}
