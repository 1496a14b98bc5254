import { securityHeadersOf } from './security-headers';

describe('securityHeadersOf (helmet, computed once)', () => {
  const csp = { directives: { defaultSrc: ["'self'"], objectSrc: ["'none'"] } };

  it('gives helmet’s headers for the options: CSP as configured, nosniff, frame denial, no HSTS when off', () => {
    const headers = securityHeadersOf({
      contentSecurityPolicy: csp,
      strictTransportSecurity: false,
    });
    // helmet's default directives, with ours in place of theirs.
    expect(headers['content-security-policy']!.split(';')).toEqual(
      expect.arrayContaining(["default-src 'self'", "object-src 'none'", "script-src 'self'"]),
    );
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers).not.toHaveProperty('strict-transport-security');
    expect(headers).not.toHaveProperty('x-powered-by');
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('adds HSTS when asked (production)', () => {
    const headers = securityHeadersOf({ contentSecurityPolicy: csp });
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+; includeSubDomains$/);
  });

  it('refuses options helmet refuses', () => {
    expect(() =>
      securityHeadersOf({ contentSecurityPolicy: { directives: { 'default-src': ['none'] } } }),
    ).toThrow(/none/);
  });
});
