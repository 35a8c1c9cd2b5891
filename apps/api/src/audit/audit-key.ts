import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditSigner } from '@app/audit';
import { AppConfig } from '@app/config';

/**
 * The deployment's audit key (AUDIT_SIGNING_KEY). Outside production, when it
 * is unset, a key is generated into AUDIT_SIGNING_KEY_FILE (data/ by default)
 * on first use and kept there, so exports stay verifiable across restarts.
 * In production it must be set, and the api refuses to start without it:
 * an auditor would otherwise meet a 500 at the first export.
 */
@Injectable()
export class AuditKey implements OnModuleInit {
  private readonly logger = new Logger('AuditKey');
  private signer?: AuditSigner;

  constructor(@Inject(ConfigService) private readonly config: AppConfig) {}

  onModuleInit(): void {
    if (this.config.get('NODE_ENV', { infer: true }) === 'production') this.get();
  }

  get(): AuditSigner {
    if (this.signer) return this.signer;
    const configured = this.config.get('AUDIT_SIGNING_KEY', { infer: true });
    if (configured) return (this.signer = AuditSigner.fromPem(configured));
    if (this.config.get('NODE_ENV', { infer: true }) === 'production') {
      throw new Error(
        'AUDIT_SIGNING_KEY: required in production (an Ed25519 private key in PEM; audit exports and anchor lists are signed with it)',
      );
    }
    const file = this.config.get('AUDIT_SIGNING_KEY_FILE', { infer: true });
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      // Written whole under a name of its own, then linked: a process racing this one reads a whole key or makes its own link fail.
      const draft = `${file}.${process.pid}.tmp`;
      writeFileSync(draft, AuditSigner.generatePem(), { mode: 0o600 });
      try {
        linkSync(draft, file);
        this.logger.log(`generated an audit signing key in ${file} (set AUDIT_SIGNING_KEY in production)`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        unlinkSync(draft);
      }
    }
    return (this.signer = AuditSigner.fromPem(readFileSync(file, 'utf8')));
  }
}
