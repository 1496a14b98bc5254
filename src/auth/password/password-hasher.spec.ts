import * as bcrypt from 'bcrypt';
import { unitConfig } from '../testing/unit-kit';
import { PasswordHasher, prehash } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher(unitConfig());

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hasher.hash('the right password');
    await expect(hasher.verify('the right password', hash)).resolves.toBe(true);
    await expect(hasher.verify('the wrong password', hash)).resolves.toBe(false);
  });

  it('does not truncate at 72 bytes: a 100-character password differs from its first 72 bytes', async () => {
    const password = 'p'.repeat(72) + 'q'.repeat(28);
    const hash = await hasher.hash(password);
    await expect(hasher.verify(password, hash)).resolves.toBe(true);
    await expect(hasher.verify(password.slice(0, 72), hash)).resolves.toBe(false);
    // Plain bcrypt would have accepted the prefix: that is the defect being avoided.
    const plain = await bcrypt.hash(password, 4);
    await expect(bcrypt.compare(password.slice(0, 72), plain)).resolves.toBe(true);
  });

  it('bcrypts a 44-character base64 SHA-256 digest with the configured cost', async () => {
    expect(prehash('anything')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const hash = await hasher.hash('anything at all');
    expect(bcrypt.getRounds(hash)).toBe(4);
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(hasher.needsRehash(await bcrypt.hash('x', 5))).toBe(true);
    expect(hasher.needsRehash('not a bcrypt hash')).toBe(true);
  });

  it('treats composed and decomposed forms of one password as the same password', async () => {
    const composed = 'crème brûlée forever';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    await expect(hasher.verify(decomposed, await hasher.hash(composed))).resolves.toBe(true);
  });

  it('compares unknown users against a dummy hash and never matches', async () => {
    await expect(hasher.verifyAgainstDummy('whatever password')).resolves.toBe(false);
  });
});
