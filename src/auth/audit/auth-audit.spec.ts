import { Counter, Registry } from 'prom-client';
import { createLogger } from '../../common/logging/logger';
import { AuthAudit, identifierFingerprint } from './auth-audit';

describe('AuthAudit', () => {
  function setup() {
    const registry = new Registry();
    const counter = new Counter({
      name: 'auth_events_total',
      help: 'test',
      labelNames: ['event', 'result'],
      registers: [registry],
    });
    const logger = createLogger('silent');
    const info = jest.spyOn(logger, 'info');
    const warn = jest.spyOn(logger, 'warn');
    const count = async (event: string, result: string) =>
      (await counter.get()).values.find(
        (v) => v.labels.event === event && v.labels.result === result,
      )?.value ?? 0;
    return { audit: new AuthAudit(logger, counter), info, warn, count };
  }

  const client = { ip: '203.0.113.9', userAgent: 'unit-test', requestId: 'req-1' };

  it('logs a success at info with who, from where and which request, and counts it', async () => {
    const { audit, info, warn, count } = setup();
    audit.record('login', 'success', client, { userId: 'u1', sessionId: 's1' });
    expect(info).toHaveBeenCalledWith(
      {
        audit: true,
        event: 'auth.login',
        result: 'success',
        user_id: 'u1',
        session_id: 's1',
        reason: undefined,
        identifier_fingerprint: undefined,
        count: undefined,
        ip: '203.0.113.9',
        user_agent: 'unit-test',
        request_id: 'req-1',
      },
      'auth login success',
    );
    expect(warn).not.toHaveBeenCalled();
    expect(await count('login', 'success')).toBe(1);
  });

  it('logs anything else at warn, fingerprinting an identifier instead of logging it', async () => {
    const { audit, info, warn, count } = setup();
    audit.record('login', 'failure', client, {
      userId: null,
      identifier: 'my secret password',
      reason: 'unknown_user',
      count: 3,
    });
    const [entry, message] = warn.mock.calls[0] as [Record<string, unknown>, string];
    expect(message).toBe('auth login failure');
    expect(entry).toMatchObject({
      result: 'failure',
      user_id: null,
      reason: 'unknown_user',
      count: 3,
      identifier_fingerprint: identifierFingerprint('my secret password'),
    });
    expect(JSON.stringify(entry)).not.toContain('my secret password');
    expect(info).not.toHaveBeenCalled();
    expect(await count('login', 'failure')).toBe(1);
    expect(await count('login', 'success')).toBe(0);
  });

  it('records a CLI event (no client) with null ip, user agent and request id', () => {
    const { audit, info } = setup();
    audit.record('register', 'success', null);
    expect(info).toHaveBeenCalledWith(
      expect.objectContaining({ user_id: null, ip: null, user_agent: null, request_id: null }),
      'auth register success',
    );
  });

  it('fingerprints with the first 16 hex digits of SHA-256', () => {
    expect(identifierFingerprint('abc')).toBe('ba7816bf8f01cfea');
    expect(identifierFingerprint('ABC')).not.toBe(identifierFingerprint('abc'));
  });
});
