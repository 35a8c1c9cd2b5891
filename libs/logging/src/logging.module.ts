import { IncomingMessage, ServerResponse } from 'node:http';
import { Global, Inject, Injectable, Module, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Logger, LoggerModule, Params, PARAMS_PROVIDER_TOKEN, PinoLogger } from 'nestjs-pino';
import { Options } from 'pino-http';
import pretty from 'pino-pretty';
import { AppConfig, Environment } from '@app/config';

/** Headers that carry secrets; pino replaces them before a line is written. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];

/**
 * Pretty lines for a person at a terminal; JSON lines for machines (log
 * collectors, tests, a pipe). LOG_FORMAT decides when set; otherwise a
 * terminal outside production gets pretty lines.
 */
export function prettyLogs(
  env: Pick<Environment, 'LOG_FORMAT' | 'NODE_ENV'>,
  stdoutIsTerminal = process.stdout.isTTY === true,
): boolean {
  if (env.LOG_FORMAT) return env.LOG_FORMAT === 'pretty';
  return stdoutIsTerminal && env.NODE_ENV !== 'production';
}

/** Structured logs; one line per HTTP request with its correlation id (the request id the api's HTTP server gives it). */
const PinoModule = LoggerModule.forRootAsync({
  inject: [ConfigService],
  useFactory: (config: AppConfig) => {
    const options: Options<IncomingMessage, ServerResponse> = {
      level: config.get('LOG_LEVEL', { infer: true }),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Fastify hands its headers to writeHead, where the response's header list never sees them: logging that list showed `{}`.
      serializers: { res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
      // The API key's partner, client and role (never the key), set on the request by the api when it finds the key.
      customProps: (req) => {
        const apiKey = (req as IncomingMessage & { apiKey?: { partnerId: string; client: string; role: string } })
          .apiKey;
        return apiKey ? { apiKey } : {};
      },
      // The original URL: a middleware layer may have cut the path it matched from req.url.
      autoLogging: {
        ignore: (req) =>
          ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url)?.startsWith('/health') ?? false,
      },
    };
    const env = {
      LOG_FORMAT: config.get('LOG_FORMAT', { infer: true }),
      NODE_ENV: config.get('NODE_ENV', { infer: true }),
    };
    // Every path: Fastify's middleware layer reads '*' as all of them (nestjs-pino's default pattern matches none there).
    return {
      pinoHttp: prettyLogs(env) ? [options, prettyStream()] : options,
      forRoutes: [{ path: '*', method: RequestMethod.ALL }],
    };
  },
});

/** One line per entry: `[12:00:01.234] INFO: [Context] message`, a request as `GET /v1/… 200 12 ms`. */
function prettyStream() {
  return pretty({
    // Synchronous, in this thread: a line written just before a crash is not lost in a buffer.
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    ignore: 'pid,hostname,context,req,res,responseTime,apiKey',
    messageFormat: (log, messageKey) => {
      const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
      const req = log.req as { id?: string; method?: string; url?: string } | undefined;
      const res = log.res as { statusCode?: number } | undefined;
      const key = log.apiKey as { client?: string; role?: string } | undefined;
      const by = key ? ` by ${key.client} (${key.role})` : '';
      if (req && res)
        return `${context}${req.method} ${req.url} ${res.statusCode} ${String(log.responseTime)} ms${by} (${req.id}) ${String(log[messageKey])}`;
      return `${context}${String(log[messageKey])}`;
    },
  });
}

/** Nest's own start-up chatter: one line per module, controller and route. "Nest application successfully started" stays at info. */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory']);

/**
 * The apps' logger: nestjs-pino's, with Nest's start-up chatter moved down to
 * debug, so `info` shows what a person needs (started, listening, requests,
 * problems) and LOG_LEVEL=debug still shows every mapped route.
 */
@Injectable()
export class AppLogger extends Logger {
  constructor(logger: PinoLogger, @Inject(PARAMS_PROVIDER_TOKEN) params: Params) {
    super(logger, params);
  }

  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1);
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) return super.debug(message, ...optionalParams);
    return super.log(message, ...optionalParams);
  }
}

@Global()
@Module({ imports: [PinoModule], providers: [AppLogger], exports: [PinoModule, AppLogger] })
export class LoggingModule {}
