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

  it('looks the old form up only when it fits the identifier limit', () => {
    // "e" + a combining acute is 3 bytes; its NFC form "é" is 2. The old (non-NFC) form of this
    // address is exactly the longest identifier; the canonical form is shorter.
    const decomposed = 'e\u0301'.repeat(83);
    const longest = `${decomposed}@x.io`;
    expect(Buffer.byteLength(longest)).toBe(LOGIN_IDENTIFIER_MAX_BYTES);
    const canonical = `${decomposed.normalize('NFC')}@x.io`;
    expect(loginLookupForms(longest)).toEqual([canonical, longest]);
    // One character more and the old form is longer than any stored identifier: not looked up.
    const longer = `e\u0301${longest}`;
    expect(Buffer.byteLength(canonical)).toBeLessThan(LOGIN_IDENTIFIER_MAX_BYTES);
    expect(loginLookupForms(longer)).toEqual([`${'e\u0301'.repeat(84).normalize('NFC')}@x.io`]);
  });
});
