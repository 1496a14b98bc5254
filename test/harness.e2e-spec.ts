import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import globalSetup from './global-setup';
import {
  AUDIT_DIR_ENV,
  auditRunLogs,
  recordLogLines,
  recordLogSource,
  recordSecrets,
} from './utils/run-audit';
import { assertLoopbackEndpoint, startTestApp, TestApp } from './utils/test-app';
import { listen } from './utils/ledger-http';
import { createCustomer } from './utils/users';

/** Secrets for the audit's own tests, made here so no helper records them into this run. */
const randomSecret = (bytes = 12) => randomBytes(bytes).toString('base64url');
const fakeRefresh = () =>
  `00000000-0000-4000-8000-000000000001.01J00000000000000000000000.${randomSecret(32)}`;

/** Runs `fn` with the audit recording into a scratch directory instead of this run's. */
function inScratchAudit(fn: () => void): ReturnType<typeof auditRunLogs> {
  const dir = mkdtempSync(join(tmpdir(), 'audit-'));
  const runDir = process.env[AUDIT_DIR_ENV];
  process.env[AUDIT_DIR_ENV] = dir;
  try {
    fn();
    return auditRunLogs(dir);
  } finally {
    process.env[AUDIT_DIR_ENV] = runDir;
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('e2e harness: the test-table guard', () => {
  it('refuses a test app whose env override names a non-test table, and creates nothing', async () => {
    await expect(
      startTestApp('guard', { DYNAMODB_TABLE_NAME: 'order-processor-table' }),
    ).rejects.toThrow(/Refusing to use table "order-processor-table"/);
    const probe = await startTestApp('guard_probe');
    try {
      const tables = await probe.ddb.send(new ListTablesCommand({}));
      expect(tables.TableNames).not.toContain('order-processor-table');
    } finally {
      await probe.close();
    }
  });

  it.each([
    'http://10.1.2.3:8000',
    'https://dynamodb.us-west-2.amazonaws.com',
    'http://127.0.0.1.example.com:8000',
    'http://localhost.example.com',
    'http://0.0.0.0:8000',
  ])('refuses a test app whose DynamoDB endpoint is %s (not loopback)', async (endpoint) => {
    await expect(startTestApp('guard', { DYNAMODB_ENDPOINT: endpoint })).rejects.toThrow(
      /Refusing DynamoDB endpoint .*loopback/,
    );
  });

  it('refuses an app with no endpoint at all (the embedded or the AWS default)', async () => {
    await expect(startTestApp('guard', { DYNAMODB_ENDPOINT: '' })).rejects.toThrow(/loopback/);
  });

  it('accepts loopback endpoints only: localhost, 127.0.0.0/8 and [::1]', () => {
    for (const ok of [
      'http://localhost:8000',
      'http://127.0.0.1:1',
      'http://127.8.9.10',
      'http://[::1]:8000',
    ])
      expect(() => assertLoopbackEndpoint(ok)).not.toThrow();
    for (const bad of ['ftp://127.0.0.1', 'not a url', undefined])
      expect(() => assertLoopbackEndpoint(bad)).toThrow(/Refusing/);
  });

  it('refuses a preset TEST_DYNAMODB_ENDPOINT that is not loopback, in the setup and in every app', async () => {
    const preset = process.env.TEST_DYNAMODB_ENDPOINT;
    const auditDir = process.env[AUDIT_DIR_ENV];
    process.env.TEST_DYNAMODB_ENDPOINT = 'http://dynamodb.shared.internal:8000';
    try {
      await expect(globalSetup()).rejects.toThrow(/Refusing TEST_DYNAMODB_ENDPOINT/);
      expect(process.env[AUDIT_DIR_ENV]).toBe(auditDir);
      await expect(startTestApp('guard')).rejects.toThrow(/Refusing TEST_DYNAMODB_ENDPOINT/);
    } finally {
      process.env.TEST_DYNAMODB_ENDPOINT = preset;
    }
  });
});

describe('e2e harness: the run-wide log audit', () => {
  it('passes a clean run and counts what it checked', () => {
    const result = inScratchAudit(() => {
      recordLogSource('app a');
      recordSecrets(randomSecret(), fakeRefresh());
      recordLogLines(['{"message":"request completed","status":200}']);
    });
    expect(result).toEqual({ sources: 1, lines: 1, secrets: 2, problems: [] });
  });

  it("fails on a planted leak of a refresh token's random part alone", () => {
    const refresh = fakeRefresh();
    const secretPart = refresh.split('.')[2];
    const result = inScratchAudit(() => {
      recordLogSource('app a');
      recordSecrets(refresh);
      recordLogLines(['{"message":"ok"}', `{"message":"rotated","hint":"${secretPart}"}`]);
    });
    expect(result.problems).toEqual([
      'log line 2 contains a test password, token or its secret part',
    ]);
    expect(result.problems.join('\n')).not.toContain(secretPart);
  });

  it.each([
    ['a whole refresh token', (s: { refresh: string }) => `{"body":"${s.refresh}"}`],
    ['a password', (s: { password: string }) => `{"password_was":"${s.password}"}`],
    ['a JWT', () => '{"t":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3OCJ9.c2lnbmF0dXJlMTIz"}'],
    ['a bearer credential', () => '{"h":"Bearer abcdefgh12345"}'],
    ['an Authorization value', () => '{"authorization":"Basic dXNlcjpwYXNz"}'],
  ])('fails on %s in a log line', (_what, line) => {
    const secrets = { refresh: fakeRefresh(), password: randomSecret() };
    const result = inScratchAudit(() => {
      recordLogSource('cli x');
      recordSecrets(secrets.refresh, secrets.password);
      recordLogLines([line(secrets as never)]);
    });
    expect(result.problems).toHaveLength(1);
  });

  it('fails closed: apps ran but no log line, or no secret, was recorded', () => {
    const noLines = inScratchAudit(() => {
      recordLogSource('app a');
      recordSecrets(randomSecret());
    });
    expect(noLines.problems).toEqual(['1 log sources ran but no log line was recorded']);
    const noSecrets = inScratchAudit(() => {
      recordLogSource('app a');
      recordLogLines(['{"message":"ok"}']);
    });
    expect(noSecrets.problems).toEqual([
      'log sources ran but no secret was recorded: nothing was checked',
    ]);
  });

  it('refuses to record anything outside a run that started the audit', () => {
    const runDir = process.env[AUDIT_DIR_ENV];
    delete process.env[AUDIT_DIR_ENV];
    try {
      expect(() => recordLogLines(['x'])).toThrow(/TEST_AUDIT_DIR/);
      expect(() => recordSecrets(randomSecret())).toThrow(/TEST_AUDIT_DIR/);
    } finally {
      process.env[AUDIT_DIR_ENV] = runDir;
    }
  });

  describe('recording every credential that crosses a test app', () => {
    let t: TestApp;
    let base: string;
    /**
     * Plain fetch on purpose, not the Api client (which records what it sends and receives
     * itself): what is recorded here was recorded by the server-side tap.
     */
    const unrecorded = async (path: string, body: object, token?: string) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    beforeAll(async () => {
      t = await startTestApp('harness_http');
      base = (await listen(t)).base;
    });
    afterAll(async () => {
      await t.close();
    });

    it('records refresh tokens from /auth/refresh, changed passwords and bearer tokens, whoever sends them', async () => {
      const c = await createCustomer(t.http);
      const refreshed = await unrecorded('/auth/refresh', { refresh_token: c.refreshToken });
      expect(refreshed.status).toBe(200);
      const changed = 'a literal new password 42';
      const change = await unrecorded(
        '/users/me/password',
        { current_password: c.password, new_password: changed },
        refreshed.body.access_token,
      );
      expect(change).toEqual({ status: 200, body: { message: 'Password changed successfully' } });
      const recorded = readFileSync(join(process.env[AUDIT_DIR_ENV]!, 'secrets.txt'), 'utf8')
        .split('\n')
        .filter(Boolean);
      expect(recorded).toEqual(
        expect.arrayContaining([
          refreshed.body.refresh_token,
          refreshed.body.access_token,
          changed,
          t.config.jwt.secret,
        ]),
      );
    });
  });
});
