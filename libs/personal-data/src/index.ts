export * from './contact-directory';
export * from './personal-data.module';
export * from './embedded-postgres';
