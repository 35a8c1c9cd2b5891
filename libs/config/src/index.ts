import { DynamicModule } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Environment, trustProxyOption, validateEnvironment } from './environment';

export { Environment, trustProxyOption, validateEnvironment };

/** Typed access to the validated environment. */
export type AppConfig = ConfigService<Environment, true>;

/**
 * The validated environment as a global module. A function, not a constant:
 * the environment is read when an app module is built, not when some file
 * happens to import this one.
 */
export const appConfigModule = (): Promise<DynamicModule> | DynamicModule =>
  ConfigModule.forRoot({ isGlobal: true, cache: true, ignoreEnvFile: true, validate: validateEnvironment });
