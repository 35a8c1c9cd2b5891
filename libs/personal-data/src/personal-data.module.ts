import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import { AppConfig } from '@app/config';
import { ContactDirectory } from './contact-directory';
import { embeddedPostgres } from './embedded-postgres';

@Global()
@Module({
  providers: [
    {
      provide: ContactDirectory,
      inject: [ConfigService],
      useFactory: (config: AppConfig) => {
        const url = config.get('PERSONAL_DATA_URL', { infer: true });
        return new ContactDirectory(
          url
            ? new Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 2_000 })
            : embeddedPostgres(config.get('PERSONAL_DATA_DIR', { infer: true })),
        );
      },
    },
  ],
  exports: [ContactDirectory],
})
export class PersonalDataModule {}
