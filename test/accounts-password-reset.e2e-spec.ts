import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import request from 'supertest';
import { SmtpSink } from './utils/smtp-sink';
import { startTestApp, TestApp } from './utils/test-app';
import { createCustomer, loginUser, strongPassword } from './utils/users';
import { recordSecrets } from './utils/run-audit';

const MAIL_ENV = { MAIL_POLL_INTERVAL_MS: '100', MAIL_RETRY_BASE_MS: '100' };
const ACCEPTED = {
  message: 'If an account uses this address, a link to reset its password has been sent.',
};

describe('Accounts: password reset (e2e)', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await new SmtpSink().start(0);
    t = await startTestApp('accounts_reset', { ...MAIL_ENV, SMTP_URL: smtp.url });
  });

  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const ask = (email: string) => request(t.http).post('/auth/password-reset').send({ email });
  const confirm = (token: string | null, newPassword: string) =>
    request(t.http).post('/auth/password-reset/confirm').send({ token, new_password: newPassword });
  const resetMails = (email: string, n = 1) =>
    smtp.waitFor(email, n, 15_000, /Reset your password/);

  it('end to end: the old password and every old session stop working, the new password logs in', async () => {
    const user = await createCustomer(t.http);
    const second = await loginUser(t.http, user.username, user.password);
    const requested = await ask(user.email);
    expect(requested.status).toBe(202);
    expect(requested.body).toEqual(ACCEPTED);
    const [mail] = await resetMails(user.email);
    expect(mail.link).toMatch(/\/reset-password#token=/);

    const newPassword = strongPassword();
    recordSecrets(newPassword);
    const done = await confirm(mail.token, newPassword);
    expect(done.status).toBe(200);

    for (const session of [user, second]) {
      const access = await request(t.http)
        .get('/users/me/profile')
        .set('Authorization', `Bearer ${session.accessToken}`);
      expect(access.status).toBe(401);
      const refresh = await request(t.http)
        .post('/auth/refresh')
        .send({ refresh_token: session.refreshToken });
      expect(refresh.status).toBe(401);
    }
    const old = await request(t.http)
      .post('/auth/login')
      .send({ username: user.username, password: user.password });
    expect(old.status).toBe(401);
    await loginUser(t.http, user.username, newPassword);

    const [notice] = await smtp.waitFor(user.email, 1, 15_000, /password was changed/);
    expect(notice.token).toBeNull();
    // Single use.
    const reused = await confirm(mail.token, strongPassword());
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('invalid_token');
    expect(t.logs.text).not.toContain(mail.token);
  });

  it('an unknown address gets the same 202 body, in similar time, and no mail', async () => {
    const known = await createCustomer(t.http);
    const unknown = `nobody_${Date.now()}@example.com`;
    const t0 = Date.now();
    const a = await ask(known.email);
    const knownMs = Date.now() - t0;
    const t1 = Date.now();
    const b = await ask(unknown);
    const unknownMs = Date.now() - t1;
    expect(b.status).toBe(a.status);
    expect(b.body).toEqual(a.body);
    expect(Object.keys(b.headers).sort()).toEqual(Object.keys(a.headers).sort());
    expect(Math.min(knownMs, unknownMs)).toBeGreaterThanOrEqual(140);
    expect(Math.abs(knownMs - unknownMs)).toBeLessThan(250);
    await resetMails(known.email);
    await new Promise((r) => setTimeout(r, 400));
    expect(smtp.to(unknown)).toHaveLength(0);
  });

  it('the 4th request for one address within the hour is 429 (known or unknown address alike)', async () => {
    const user = await createCustomer(t.http);
    const unknown = `ghost_${Date.now()}@example.com`;
    for (const email of [user.email, unknown]) {
      for (let i = 0; i < 3; i++) expect((await ask(email)).status).toBe(202);
      const fourth = await ask(email);
      expect(fourth.status).toBe(429);
      expect(fourth.body.code).toBe('rate_limited');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(3000);
    }
  });

  it('a newer request supersedes the older link; policy applies; the lockout is cleared', async () => {
    const user = await createCustomer(t.http);
    for (let i = 0; i < 5; i++) {
      await request(t.http)
        .post('/auth/login')
        .send({ username: user.username, password: 'wrong password 123' });
    }
    const locked = await request(t.http)
      .post('/auth/login')
      .send({ username: user.username, password: user.password });
    expect(locked.status).toBe(429);

    await ask(user.email);
    await ask(user.email);
    const [first, second] = await resetMails(user.email, 2);
    expect((await confirm(first.token, strongPassword())).status).toBe(400);

    const weak = await confirm(second.token, 'password1234');
    expect(weak.status).toBe(422);
    expect(weak.body.errors[0].field).toBe('new_password');
    const withName = await confirm(second.token, `${user.username}-Zq8!x`);
    expect(withName.status).toBe(422);

    const newPassword = strongPassword();
    recordSecrets(newPassword);
    expect((await confirm(second.token, newPassword)).status).toBe(200);
    await loginUser(t.http, user.username, newPassword);
  });

  it('an expired, malformed or forged token is 400 invalid_token', async () => {
    const user = await createCustomer(t.http);
    await ask(user.email);
    const [mail] = await resetMails(user.email);
    await t.ddb.send(
      new UpdateItemCommand({
        TableName: t.config.dynamodb.tableName,
        Key: { PK: { S: user.userId }, SK: { S: 'TOKEN#reset' } },
        UpdateExpression: 'SET expires_at = :past',
        ExpressionAttributeValues: { ':past': { N: String(Math.floor(Date.now() / 1000) - 1) } },
      }),
    );
    for (const token of [
      mail.token,
      'garbage',
      `${user.userId}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`,
    ]) {
      const res = await confirm(token, strongPassword());
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid_token');
    }
    // The verification token of the same user is not a reset token.
    const [verify] = await smtp.waitFor(user.email, 1, 15_000, /Confirm/);
    expect((await confirm(verify.token, strongPassword())).status).toBe(400);
  });
});
