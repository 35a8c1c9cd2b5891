import { INestApplicationContext, LoggerService } from '@nestjs/common';

const SHUTDOWN_DEADLINE_MS = 15_000;

/**
 * On SIGTERM or SIGINT, closes the Nest app (running every shutdown hook:
 * HTTP server, queues, clients, the embedded store) and exits 0. Nest's own
 * enableShutdownHooks re-raises the signal instead, which reads as a crash to
 * supervisors. A hook that hangs past the deadline exits 1.
 */
export function closeOnSignals(app: INestApplicationContext, logger: LoggerService): void {
  let closing = false;
  const close = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal} received, shutting down`);
    const deadline = setTimeout(() => {
      logger.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error(`shutdown failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => close('SIGTERM'));
  process.once('SIGINT', () => close('SIGINT'));
}
