import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** How a signed document names its signature: over the canonical JSON of the document without `signature`. */
export interface Signature {
  algorithm: 'Ed25519';
  /** The first 16 hex characters of SHA-256 over the raw 32-byte public key. */
  keyId: string;
  /** Base64. */
  value: string;
}

export type Signed<T> = T & { signature: Signature };

/** The public half, as GET /v1/audit/public-key serves it. */
export interface PublicKeyDocument {
  algorithm: 'Ed25519';
  keyId: string;
  /** The raw 32-byte key, base64. */
  publicKey: string;
  /** The same key as SPKI PEM, for openssl and most libraries. */
  publicKeyPem: string;
}

const rawPublicKey = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url');

export const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);

/** The deployment's audit key: signs export trailers and anchor lists. */
export class AuditSigner {
  readonly publicKey: KeyObject;
  readonly keyId: string;

  constructor(private readonly privateKey: KeyObject) {
    if (privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error(`AUDIT_SIGNING_KEY must be an Ed25519 private key, not ${privateKey.asymmetricKeyType}`);
    this.publicKey = createPublicKey(privateKey);
    this.keyId = keyIdOf(this.publicKey);
  }

  /** From AUDIT_SIGNING_KEY: a PKCS#8 PEM, or the base64 of its DER. */
  static fromPem(text: string): AuditSigner {
    const pem = text.includes('-----BEGIN') ? text.replace(/\\n/g, '\n') : undefined;
    const key = pem
      ? createPrivateKey(pem)
      : createPrivateKey({ key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'pkcs8' });
    return new AuditSigner(key);
  }

  /** A new key pair, as PKCS#8 PEM. */
  static generatePem(): string {
    return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }

  sign<T extends object>(document: T): Signed<T> {
    const value = sign(null, Buffer.from(canonicalJson(document), 'utf8'), this.privateKey).toString('base64');
    return { ...document, signature: { algorithm: 'Ed25519', keyId: this.keyId, value } };
  }

  publicKeyDocument(): PublicKeyDocument {
    return {
      algorithm: 'Ed25519',
      keyId: this.keyId,
      publicKey: rawPublicKey(this.publicKey).toString('base64'),
      publicKeyPem: this.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    };
  }
}

/** A public key from what GET /v1/audit/public-key answers, its PEM, or the raw key in base64. */
export function publicKeyFrom(input: string | PublicKeyDocument): KeyObject {
  if (typeof input !== 'string') return createPublicKey(input.publicKeyPem);
  const text = input.trim();
  if (text.startsWith('{')) return publicKeyFrom(JSON.parse(text) as PublicKeyDocument);
  if (text.includes('-----BEGIN')) return createPublicKey(text);
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(text, 'base64').toString('base64url') },
    format: 'jwk',
  });
}

/** Why a signed document does not verify against the key, or undefined when it does. */
export function signatureProblem(document: { signature?: Signature }, publicKey: KeyObject): string | undefined {
  const { signature, ...rest } = document;
  if (!signature || typeof signature.value !== 'string') return 'it carries no signature';
  if (signature.algorithm !== 'Ed25519') return `its signature is ${String(signature.algorithm)}, not Ed25519`;
  const keyId = keyIdOf(publicKey);
  if (signature.keyId !== keyId) return `it is signed with key ${signature.keyId}, not the public key given (${keyId})`;
  const ok = verify(null, Buffer.from(canonicalJson(rest), 'utf8'), publicKey, Buffer.from(signature.value, 'base64'));
  return ok
    ? undefined
    : 'its signature does not match its content: it was changed after it was signed, or signed by another key';
}
