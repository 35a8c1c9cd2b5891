import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Pool } from 'pg';
import { AppConfig } from '@app/config';
import { ContactDirectory } from './contact-directory';

@Global()
@Module({
  providers: [
    {
      provide: ContactDirectory,
      inject: [ConfigService],
      useFactory: (config: AppConfig) =>
        new ContactDirectory(new Pool({ connectionString: config.get('PERSONAL_DATA_URL', { infer: true }), max: 5, connectionTimeoutMillis: 2_000 })),
    },
  ],
  exports: [ContactDirectory],
})
export class PersonalDataModule {}
