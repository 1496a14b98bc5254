import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import * as bcrypt from 'bcrypt';
import { APP_CONFIG, AppConfig } from '../../config';
import { normalizePassword } from './password-policy';

/**
 * bcrypt over the base64 SHA-256 digest of the password: bcrypt reads only 72 bytes, the digest is
 * 44, so every character of a long password counts (no silent truncation). Always the async native
 * API, so hashing runs on libuv's pool and the event loop stays free.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(prehash(password), this.config.bcryptCost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(prehash(password), hash);
  }

  /** The same work as `verify` against a hash nobody can match: unknown users cost as much as known ones. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash(randomBytes(32).toString('base64'), this.config.bcryptCost);
    await bcrypt.compare(prehash(password), await this.dummyHash);
    return false;
  }

  /** Whether a stored hash was made with another cost than the configured one. */
  needsRehash(hash: string): boolean {
    try {
      return bcrypt.getRounds(hash) !== this.config.bcryptCost;
    } catch {
      return true;
    }
  }
}

/** base64(SHA-256(NFKC(password))): 44 bytes, all of them read by bcrypt. */
export function prehash(password: string): string {
  return createHash('sha256').update(normalizePassword(password), 'utf8').digest('base64');
}
