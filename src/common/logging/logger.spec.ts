import { createLogger, REDACTED_PATHS, SECRET_FIELDS, unredactedChild } from './logger';

const SECRET = 'S3cret-value-that-must-not-be-logged';

/** Logs one object at debug and returns the parsed line. */
function logged(obj: Record<string, unknown>): Record<string, unknown> {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  logger.debug(obj, 'probe');
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain(SECRET);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

/** Builds `{a: {b: SECRET}}` from 'a.b'. */
function objectAt(path: string): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((value, key) => ({ [key]: value }), SECRET) as Record<string, unknown>;
}

function valueAt(obj: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], obj);
}

describe('createLogger redaction', () => {
  const concrete = REDACTED_PATHS.map((p) =>
    p.replace(/^\*\.\*\./, 'req.body.').replace(/^\*\./, 'body.'),
  );

  it.each(concrete)('replaces %s with [redacted]', (path) => {
    const line = logged({ ...objectAt(path), request_id: 'r-1' });
    expect(valueAt(line, path)).toBe('[redacted]');
    expect(line.request_id).toBe('r-1');
  });

  it.each(SECRET_FIELDS)(
    'redacts %s one level down in any object (a logged request or response body)',
    (field) => {
      for (const parent of ['body', 'payload', 'err', 'details']) {
        const line = logged({ [parent]: { [field]: SECRET, username: 'jane_doe' } });
        expect(line[parent]).toEqual({ [field]: '[redacted]', username: 'jane_doe' });
      }
    },
  );

  it('redacts the Authorization header and cookies of a logged request, keeping the rest', () => {
    const line = logged({
      req: {
        method: 'GET',
        headers: { authorization: `Bearer ${SECRET}`, cookie: `sid=${SECRET}`, 'user-agent': 'x' },
      },
    });
    expect(line.req).toEqual({
      method: 'GET',
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'user-agent': 'x' },
    });
  });

  it('redacts every secret field of a body at once, nested bodies included', () => {
    const line = logged({
      password: SECRET,
      req: { body: { password: SECRET, refresh_token: SECRET, username: 'jane_doe' } },
      body: { current_password: SECRET, new_password: SECRET, note: 'kept' },
      response: { access_token: SECRET, refresh_token: SECRET, token_type: 'Bearer' },
    });
    expect(line).toMatchObject({
      password: '[redacted]',
      req: { body: { password: '[redacted]', refresh_token: '[redacted]', username: 'jane_doe' } },
      body: { current_password: '[redacted]', new_password: '[redacted]', note: 'kept' },
      response: { access_token: '[redacted]', refresh_token: '[redacted]', token_type: 'Bearer' },
    });
  });

  it('leaves a line without secrets unchanged', () => {
    expect(logged({ user_id: 'u-1', amount: '1.00' })).toMatchObject({
      level: 'debug',
      service: 'user-service',
      message: 'probe',
      user_id: 'u-1',
      amount: '1.00',
    });
  });
});

describe('unredactedChild (the access log)', () => {
  it('writes its fields as given, on the same stream and level, while its parent still redacts', () => {
    const lines: string[] = [];
    const parent = createLogger('info', { write: (line: string) => void lines.push(line) });
    const access = unredactedChild(parent);
    access.info({ request_id: 'r-1', route: '/balance', status: 200 }, 'request completed');
    access.debug({ route: '/dropped' }, 'below the level');
    parent.info({ password: SECRET }, 'parent');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: 'info',
      service: 'user-service',
      message: 'request completed',
      request_id: 'r-1',
      route: '/balance',
      status: 200,
    });
    expect(JSON.parse(lines[1])).toMatchObject({ password: '[redacted]' });
  });
});
