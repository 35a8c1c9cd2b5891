import { ConfigModule, ConfigService } from '@nestjs/config';
import { Environment, validateEnvironment } from './environment';

export { Environment, validateEnvironment };

/** Typed access to the validated environment. */
export type AppConfig = ConfigService<Environment, true>;

export const AppConfigModule = ConfigModule.forRoot({ isGlobal: true, cache: true, ignoreEnvFile: true, validate: validateEnvironment });
