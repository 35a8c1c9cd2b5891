import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@app/config';

/** Headers that carry secrets; pino replaces them before a line is written. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'];

/** Structured JSON logs; one line per HTTP request with its correlation id. */
export const LoggingModule = LoggerModule.forRootAsync({
  inject: [ConfigService],
  useFactory: (config: AppConfig) => ({
    pinoHttp: {
      level: config.get('LOG_LEVEL', { infer: true }),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      genReqId: (req, res) => {
        const id = (req.headers['x-correlation-id'] as string | undefined) ?? crypto.randomUUID();
        res.setHeader('x-correlation-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url?.startsWith('/health') ?? false },
    },
  }),
});
