/**
 * How a refusal maps to HTTP: a rule of the business (422), an illegal state
 * or conflict (409), something that does not exist for this caller (404).
 */
export type DomainErrorKind = 'rule' | 'conflict' | 'not_found';

/** A refused command, with a stable machine-readable code. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'rule',
    /** Facts the caller needs to act on the refusal (e.g. a remaining allowance), sent with the error. */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const ruleViolated = (code: string, message: string) => new DomainError(code, message, 'rule');
export const illegalState = (code: string, message: string) => new DomainError(code, message, 'conflict');
export const notFound = (code: string, message: string) => new DomainError(code, message, 'not_found');
