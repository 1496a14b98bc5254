import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { MailParams } from './mail.types';

const VERSION = 'v1';

/**
 * Encrypts an outbox mail's template variables (AES-256-GCM, key derived from JWT_SECRET_KEY with
 * HKDF), so a token on its way to the user is never readable in the table. Rotating the JWT key makes
 * pending mails unreadable: they are marked failed (the user asks for a new link).
 */
export class MailSealer {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'user-service outbox', 32),
    );
  }

  seal(params: MailParams): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(params), 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), body].map(part).join('.');
  }

  /** The variables, or null when the value was not sealed with this key. */
  open(sealed: string): MailParams | null {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || body === undefined) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const text = Buffer.concat([
        decipher.update(Buffer.from(body, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(text) as MailParams;
    } catch {
      return null;
    }
  }
}

const part = (p: string | Buffer) => (typeof p === 'string' ? p : p.toString('base64url'));
