import { randomUUID } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { INestApplication, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Clock } from '@app/clock';
import { trustProxyOption, validateEnvironment } from '@app/config';
import { AppLogger } from '@app/logging';
import { ApiModule } from './api.module';
import { apiKeyBeforeBody } from './auth/api-key-before-body';
import { API_KEY_HEADER } from './auth/api-key.guard';
import { ApiKeys } from './auth/api-keys';
import { usageBudgetBeforeBody } from './budgets/usage-budget-before-body';
import { UsageBudget } from './budgets/usage-budget';
import { validationPipe } from './http/error-responses';
import { acceptEmptyJsonBodies, JSON_BODY_LIMIT } from './http/json-bodies';
import { CORRELATION_ID_HEADER, correlationIdHeader } from './http/correlation-id';
import { Metrics, timeRequests } from './operations/metrics.service';

/**
 * Builds the HTTP app exactly as production runs it; main.ts and the
 * end-to-end tests both go through here.
 */
export async function createApi(): Promise<INestApplication> {
  // Fastify sets no ETag of its own: ETag is the stream revision (for If-Match), set where there is one.
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule,
    // A request's id is its correlation id: the caller's X-Correlation-Id, or a new one; logs and error answers name it.
    new FastifyAdapter({
      bodyLimit: JSON_BODY_LIMIT,
      // The client's address (request.ip) as the proxies named in TRUST_PROXY report it; the operators' door counts failures by it.
      trustProxy: trustProxyOption(validateEnvironment(process.env).TRUST_PROXY),
      genReqId: (request: { headers: IncomingHttpHeaders }) => correlationIdHeader(request.headers) ?? randomUUID(),
    }),
    { bufferLogs: true },
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('onResponse', timeRequests(app.get(Metrics)));
  // Refuse a request without a valid key before its body is read.
  fastify.addHook('onRequest', apiKeyBeforeBody(app.get(ApiKeys)));
  // A partner at its usage budget is refused before its batch is parsed.
  fastify.addHook('onRequest', usageBudgetBeforeBody(app.get(UsageBudget), app.get(Clock)));
  acceptEmptyJsonBodies(app);
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
