import { commonPasswordCount, passwordProblem } from './password-policy';

describe('password policy', () => {
  it('uses a common-password list of at least 10,000 entries', () => {
    expect(commonPasswordCount()).toBeGreaterThanOrEqual(10_000);
  });

  it('rejects fewer than 12 characters and more than 128', () => {
    expect(passwordProblem('a'.repeat(11))).toMatch(/at least 12/);
    expect(passwordProblem('abcdefghijk!Z')).toBeNull();
    expect(passwordProblem('x'.repeat(128) + 'y')).toMatch(/at most 128/);
    expect(passwordProblem('q7'.repeat(64))).toBeNull();
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    // 12 emoji = 24 UTF-16 units = 48 bytes, but 12 characters.
    expect(passwordProblem('🔒'.repeat(12))).toBeNull();
    expect(passwordProblem('🔒'.repeat(11))).toMatch(/at least 12/);
    expect(passwordProblem('пароль-очень-длинный')).toBeNull();
  });

  it('rejects common passwords whatever their case, and allows any composition', () => {
    expect(passwordProblem('qwerty123456')).toMatch(/common/);
    expect(passwordProblem('QWERTY123456')).toMatch(/common/);
    expect(passwordProblem('1q2w3e4r5t6y')).toMatch(/common/);
    expect(passwordProblem('all lower case words here')).toBeNull();
  });
});
