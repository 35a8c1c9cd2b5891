import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppLogger } from '@app/logging';
import { closeOnSignals } from '@app/runtime';
import { WorkerModule } from './worker.module';

/** The worker has no HTTP surface: it consumes queues until SIGTERM. */
async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  closeOnSignals(app, app.get(Logger));
  await app.init();
  app.get(Logger).log('worker started');
}

main().catch((error: Error) => {
  process.stderr.write(`worker failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
