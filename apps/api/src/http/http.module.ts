import { Global, Module } from '@nestjs/common';
import { ConsistentReads } from './consistent-reads';

/** What every resource's routes share: reads that wait for their own writes. */
@Global()
@Module({ providers: [ConsistentReads], exports: [ConsistentReads] })
export class HttpSupportModule {}
