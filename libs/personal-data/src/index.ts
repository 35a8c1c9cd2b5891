export * from './contact-directory';
export * from './personal-data.module';
