import { ConfigService } from '@nestjs/config';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@app/config';
import { closeOnSignals } from '@app/runtime';
import { createApi } from './create-api';

async function main(): Promise<void> {
  const app = await createApi();
  closeOnSignals(app, app.get(Logger));
  const config = app.get<AppConfig>(ConfigService);
  await app.listen(config.get('HTTP_PORT', { infer: true }), config.get('HTTP_HOST', { infer: true }));
}

main().catch((error: Error) => {
  process.stderr.write(`api failed to start: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
