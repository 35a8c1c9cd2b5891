import { Module } from '@nestjs/common';
import { AuditController } from './audit-routes.http';
import { AuditExport } from './audit-export';
import { AuditKey } from './audit-key';

/** Auditors' routes: the customer's audit export, its anchors, and the audit key's public half (auditor keys only). */
@Module({ controllers: [AuditController], providers: [AuditExport, AuditKey] })
export class AuditModule {}
