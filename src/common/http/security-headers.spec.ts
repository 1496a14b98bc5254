import { securityHeadersOf } from './security-headers';

describe('securityHeadersOf (helmet, computed once)', () => {
  const csp = { directives: { defaultSrc: ["'self'"], objectSrc: ["'none'"] } };

  it('gives helmet’s headers for the options: CSP as configured, nosniff, frame denial, no HSTS when off', () => {
    const headers = securityHeadersOf({
      contentSecurityPolicy: csp,
      strictTransportSecurity: false,
    });
    // helmet's default directives, with ours in place of theirs.
    expect(headers['Content-Security-Policy']!.split(';')).toEqual(
      expect.arrayContaining(["default-src 'self'", "object-src 'none'", "script-src 'self'"]),
    );
    expect(headers['X-Content-Type-Options']).toBe('nosniff');
    expect(headers['X-Frame-Options']).toBe('SAMEORIGIN');
    expect(headers['Cross-Origin-Opener-Policy']).toBe('same-origin');
    expect(headers).not.toHaveProperty('Strict-Transport-Security');
    expect(headers).not.toHaveProperty('X-Powered-By');
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('adds HSTS when asked (production)', () => {
    const headers = securityHeadersOf({ contentSecurityPolicy: csp });
    expect(headers['Strict-Transport-Security']).toMatch(/^max-age=\d+; includeSubDomains$/);
  });

  it('refuses options helmet refuses', () => {
    expect(() =>
      securityHeadersOf({ contentSecurityPolicy: { directives: { 'default-src': ['none'] } } }),
    ).toThrow(/none/);
  });
});
