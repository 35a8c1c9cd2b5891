import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RawServerDefault } from 'fastify';

/** A JSON body fits a 10,000-record usage batch; beyond it, 413. */
export const JSON_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * Fastify's own JSON parser (with its guard against __proto__ poisoning),
 * except that an empty body is no body: a command without one (POST …/carts)
 * may still be sent with `Content-Type: application/json`.
 */
export function acceptEmptyJsonBodies(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: JSON_BODY_LIMIT }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    void parse(request, body.toString('utf8'), done);
  });
}
