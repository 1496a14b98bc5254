import { LOGIN_IDENTIFIER_MAX_BYTES, loginLookupForms } from './login-identifier';

describe('loginLookupForms', () => {
  it('lower-cases a username', () => {
    expect(loginLookupForms(' Jane_Doe ')).toEqual(['jane_doe']);
  });

  it('looks an e-mail up by its canonical form, then by the form stored before canonicalisation', () => {
    expect(loginLookupForms('J@MÜNCHEN.de')).toEqual(['j@xn--mnchen-3ya.de', 'j@münchen.de']);
    expect(loginLookupForms('Jane@Example.com')).toEqual(['jane@example.com']);
  });

  it('turns an identifier too long for any user into one fixed-size fingerprint', () => {
    const forms = loginLookupForms('\u{1F600}'.repeat(254));
    expect(forms).toHaveLength(1);
    expect(forms[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loginLookupForms(`${'\u{1F600}'.repeat(250)}@x.io`)[0]).toMatch(/^sha256:/);
  });

  it('keeps an identifier of exactly the longest length as it is; one byte more is a fingerprint', () => {
    const longest = 'a'.repeat(LOGIN_IDENTIFIER_MAX_BYTES);
    expect(loginLookupForms(longest)).toEqual([longest]);
    expect(loginLookupForms(`${longest}a`)[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
