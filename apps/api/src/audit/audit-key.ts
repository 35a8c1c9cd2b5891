import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AuditSigner } from '@app/audit';
import { AppConfig } from '@app/config';

/**
 * The deployment's audit key (AUDIT_SIGNING_KEY). Outside production, when it
 * is unset, a key is generated into AUDIT_SIGNING_KEY_FILE (data/ by default)
 * on first use and kept there, so exports stay verifiable across restarts.
 * In production it must be set: the audit routes refuse to sign without it.
 */
@Injectable()
export class AuditKey {
  private readonly logger = new Logger('AuditKey');
  private signer?: AuditSigner;

  constructor(@Inject(ConfigService) private readonly config: AppConfig) {}

  get(): AuditSigner {
    if (this.signer) return this.signer;
    const configured = this.config.get('AUDIT_SIGNING_KEY', { infer: true });
    if (configured) return (this.signer = AuditSigner.fromPem(configured));
    if (this.config.get('NODE_ENV', { infer: true }) === 'production') {
      throw new Error(
        'AUDIT_SIGNING_KEY is not set: audit exports and anchor lists cannot be signed in production without it',
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
