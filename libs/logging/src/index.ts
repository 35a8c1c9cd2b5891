export { AppLogger, LoggingModule, prettyLogs, REDACTED_PATHS } from './logging.module';
