import { INestApplication, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppLogger } from '@app/logging';
import { ApiModule } from './api.module';
import { apiKeyBeforeBody } from './auth/api-key-before-body';
import { API_KEY_HEADER } from './auth/api-key.guard';
import { ApiKeys } from './auth/api-keys';
import { validationPipe } from './http/error-responses';
import { Metrics, timeRequests } from './operations/metrics.service';

/**
 * Builds the HTTP app exactly as production runs it; main.ts and the
 * end-to-end tests both go through here.
 */
export async function createApi(): Promise<INestApplication> {
  // Our own JSON parser below, with a limit that fits a 10,000-record usage batch; beyond it, 413.
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true, bodyParser: false });
  app.use(timeRequests(app.get(Metrics)));
  // Refuse a request without a valid key before its body is parsed.
  app.use(apiKeyBeforeBody(app.get(ApiKeys)));
  app.useBodyParser('json', { limit: '8mb' });
  // ETag is the stream revision (for If-Match), set where there is one; never Express's hash of the body.
  app.set('etag', false);
  app.useLogger(app.get(AppLogger));
  app.enableVersioning({ type: VersioningType.URI });
  app.useGlobalPipes(validationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Reservation orders')
      .setDescription('Event-sourced ordering of Azure Reserved VM Instances for CSP partners')
      .setVersion('1')
      .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER }, 'partner-key')
      .addSecurityRequirements('partner-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
