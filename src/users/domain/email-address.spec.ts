import { canonicalEmail, emailProblem, mixesScripts } from './email-address';

describe('canonicalEmail', () => {
  it('gives composed, combining and punycode spellings of one address the same form', () => {
    const forms = ['j@münchen.de', 'j@mu\u0308nchen.de', 'J@XN--MNCHEN-3YA.DE', ' j@MÜNCHEN.de '];
    expect(new Set(forms.map(canonicalEmail))).toEqual(new Set(['j@xn--mnchen-3ya.de']));
  });

  it('composes the local part (NFC) and lower-cases it', () => {
    expect(canonicalEmail('Jose\u0301@example.com')).toBe('josé@example.com');
  });

  it('is null without a usable domain', () => {
    expect(canonicalEmail('no-at-sign')).toBeNull();
    expect(canonicalEmail('a@')).toBeNull();
    expect(canonicalEmail('a@exa mple.com')).toBeNull();
  });

  it('is null without a local part', () => {
    expect(canonicalEmail('@example.com')).toBeNull();
    expect(canonicalEmail(' @example.com')).toBeNull();
  });
});

describe('emailProblem', () => {
  it('accepts ordinary and internationalised addresses', () => {
    expect(emailProblem('jane@example.com')).toBeNull();
    expect(emailProblem('josé@münchen.de')).toBeNull();
    expect(emailProblem('иван@пример.рф')).toBeNull();
  });

  it('ignores digits and punctuation when it looks for mixed scripts', () => {
    expect(emailProblem('john.doe+orders_2026@example.com')).toBeNull();
    expect(emailProblem('иван.1990@example.com')).toBeNull();
    expect(mixesScripts('a-b_c.d+e1')).toBe(false);
  });

  it('says why an address is not one', () => {
    expect(emailProblem('not-an-address')).toBe('must be a valid e-mail address');
    expect(emailProblem('@example.com')).toBe('must be a valid e-mail address');
  });

  it('rejects a local part mixing Latin and Cyrillic', () => {
    expect(emailProblem('p\u0430ypal@example.com')).toMatch(/must not mix writing systems/);
    expect(mixesScripts('日本ひらがなカタカナ')).toBe(false);
  });

  it('counts the length in bytes of the canonical form', () => {
    const domain = ['a', 'b', 'c'].map((c) => c.repeat(63)).join('.') + '.example.com';
    expect(emailProblem(`${'e'.repeat(32)}@${domain}`)).toBeNull();
    expect(emailProblem(`${'é'.repeat(32)}@${domain}`)).toBe('must be at most 254 bytes of UTF-8');
  });
});
