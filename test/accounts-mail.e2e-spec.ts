import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { OutboxDispatcher } from '../src/mail/outbox-dispatcher';
import { SmtpSink } from './utils/smtp-sink';
import { startTestApp, TestApp, uniqueTableName } from './utils/test-app';
import { createCustomer, loginUser, registerUser } from './utils/users';

/** Short dispatcher timings, so outages and retries play out in seconds. */
const MAIL_ENV = {
  MAIL_POLL_INTERVAL_MS: '100',
  MAIL_RETRY_BASE_MS: '100',
  MAIL_MAX_ATTEMPTS: '50',
};

describe('Accounts: outbox mail over SMTP and e-mail verification (e2e)', () => {
  let smtp: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await new SmtpSink().start(0);
    t = await startTestApp('accounts_mail', { ...MAIL_ENV, SMTP_URL: smtp.url });
  });

  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('registration mails a link whose token verifies the address once; a second use is 400', async () => {
    const user = await registerUser(t.http);
    const profile = await request(t.http)
      .post('/auth/login')
      .send({ username: user.username, password: user.password });
    expect(profile.status).toBe(200);
    const [mail] = await smtp.waitFor(user.email);
    expect(mail.subject).toBe('Confirm your e-mail address');
    expect(mail.link).toMatch(/^http:\/\/localhost:\d+\/verify-email#token=/);
    expect(mail.html).toContain('href="http://localhost');
    expect(mail.token).toMatch(new RegExp(`^${user.userId}\\.`));

    // The page the link opens (a GET, as a mail scanner would fetch it) consumes nothing.
    const page = await request(t.http).get('/verify-email');
    expect(page.status).toBe(200);
    expect(page.text).toContain('/account-pages.js');

    const verified = await request(t.http).post('/auth/verify-email').send({ token: mail.token });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ email_verified: true });
    const again = await request(t.http).post('/auth/verify-email').send({ token: mail.token });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('invalid_token');

    const tokens = await loginUser(t.http, user.username, user.password);
    const me = await request(t.http)
      .get('/users/me/profile')
      .set('Authorization', `Bearer ${tokens.accessToken}`);
    expect(me.body).toMatchObject({ email_verified: true });
    expect(Date.parse(me.body.email_verified_at)).not.toBeNaN();
    expect(t.logs.text).not.toContain(mail.token);
  });

  it('exposes emails_total and the oldest pending age; the outbox scan is timed apart from Query', async () => {
    const metrics = await request(t.http).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/emails_total\{template="verify_email",result="sent"\} [1-9]/);
    expect(metrics.text).toMatch(/email_outbox_oldest_pending_seconds \d/);
    expect(metrics.text).toMatch(
      /dynamodb_operation_duration_seconds_count\{operation="OutboxQuery"\} [1-9]/,
    );
  });

  it('a resend (202) kills the earlier link; only the newest one verifies', async () => {
    const user = await createCustomer(t.http);
    const [first] = await smtp.waitFor(user.email);
    const resend = await request(t.http)
      .post('/users/me/email/verification')
      .set('Authorization', `Bearer ${user.accessToken}`);
    expect(resend.status).toBe(202);
    const mails = await smtp.waitFor(user.email, 2);
    const second = mails[1];
    expect(second.token).not.toBe(first.token);
    const stale = await request(t.http).post('/auth/verify-email').send({ token: first.token });
    expect(stale.status).toBe(400);
    expect(stale.body.code).toBe('invalid_token');
    const fresh = await request(t.http).post('/auth/verify-email').send({ token: second.token });
    expect(fresh.status).toBe(200);
  });

  it.each([
    ['malformed', 'not-a-token'],
    ['forged', '7d3f1c9a-6b3e-4f4e-9a51-0c8d1e2f3a4b.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('a %s token is 400 invalid_token', async (_label, token) => {
    const res = await request(t.http).post('/auth/verify-email').send({ token });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_token');
  });

  it('an e-mail change makes the address unverified, links the new one and notifies the old one', async () => {
    const user = await createCustomer(t.http);
    const [first] = await smtp.waitFor(user.email);
    expect(
      (await request(t.http).post('/auth/verify-email').send({ token: first.token })).status,
    ).toBe(200);
    const newEmail = `new_${user.email}`;
    const changed = await request(t.http)
      .put('/users/me/profile')
      .set('Authorization', `Bearer ${user.accessToken}`)
      .send({ email: newEmail });
    expect(changed.status).toBe(200);
    expect(changed.body.user).toMatchObject({
      email: newEmail,
      email_verified: false,
      email_verified_at: null,
    });
    const [notice] = await smtp.waitFor(user.email, 1, 15_000, /changed/);
    expect(notice.text).toContain(newEmail);
    expect(notice.token).toBeNull();
    const [link] = await smtp.waitFor(newEmail);
    expect(
      (await request(t.http).post('/auth/verify-email').send({ token: link.token })).status,
    ).toBe(200);
  });

  it('an SMTP outage during registration: 201 at once, the mail arrives when the server is back', async () => {
    await smtp.stop();
    const started = Date.now();
    const user = await registerUser(t.http);
    expect(Date.now() - started).toBeLessThan(5_000);
    await new Promise((r) => setTimeout(r, 400)); // a few failed attempts
    expect(smtp.to(user.email)).toHaveLength(0);
    await smtp.start();
    const [mail] = await smtp.waitFor(user.email);
    expect(mail.token).toBeTruthy();
    expect(t.logs.text).toContain('mail not sent; will retry');
  });

  it('a restart in between resumes the pending mail', async () => {
    const table = uniqueTableName('accounts_restart');
    await smtp.stop();
    const first = await startTestApp(
      'accounts_restart',
      { ...MAIL_ENV, SMTP_URL: smtp.url },
      table,
    );
    const user = await registerUser(first.http);
    await first.close({ dropTable: false });
    await smtp.start();
    const second = await startTestApp(
      'accounts_restart',
      { ...MAIL_ENV, SMTP_URL: smtp.url },
      table,
    );
    try {
      const [mail] = await smtp.waitFor(user.email);
      expect(
        (await request(second.http).post('/auth/verify-email').send({ token: mail.token })).status,
      ).toBe(200);
    } finally {
      await second.close();
    }
  });

  it('two app instances on one table send each mail exactly once', async () => {
    const table = uniqueTableName('accounts_two');
    const a = await startTestApp('accounts_two', { ...MAIL_ENV, SMTP_URL: smtp.url }, table);
    const b = await startTestApp('accounts_two', { ...MAIL_ENV, SMTP_URL: smtp.url }, table);
    try {
      const users = await Promise.all(
        Array.from({ length: 8 }, (_, i) => registerUser((i % 2 ? a : b).http)),
      );
      // Both dispatchers race over every pending mail.
      await Promise.all([
        a.app.get(OutboxDispatcher).runOnce(),
        b.app.get(OutboxDispatcher).runOnce(),
      ]);
      for (const u of users) await smtp.waitFor(u.email);
      await new Promise((r) => setTimeout(r, 500));
      for (const u of users) expect(smtp.to(u.email)).toHaveLength(1);
    } finally {
      await a.close({ dropTable: false });
      await b.close();
    }
  });

  it('EMAIL_VERIFICATION_REQUIRED: no deposit before the address is confirmed (403), then 201', async () => {
    const gated = await startTestApp('accounts_gate', {
      ...MAIL_ENV,
      SMTP_URL: smtp.url,
      EMAIL_VERIFICATION_REQUIRED: 'true',
    });
    try {
      const user = await createCustomer(gated.http);
      const deposit = () =>
        request(gated.http)
          .post('/users/me/balance/deposit')
          .set('Authorization', `Bearer ${user.accessToken}`)
          .send({ amount: '10.00' });
      const refused = await deposit();
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('email_not_verified');
      const [mail] = await smtp.waitFor(user.email);
      expect(
        (await request(gated.http).post('/auth/verify-email').send({ token: mail.token })).status,
      ).toBe(200);
      expect((await deposit()).status).toBe(201);
    } finally {
      await gated.close();
    }
  });
});

describe('Accounts: .eml files when no SMTP_URL is set (outside production)', () => {
  it('writes each mail to LOCAL_DATA_DIR/mail/ and logs the file name, never the link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mail-'));
    const t = await startTestApp('accounts_eml', { ...MAIL_ENV, LOCAL_DATA_DIR: dir });
    try {
      const user = await registerUser(t.http);
      const deadline = Date.now() + 10_000;
      while (!t.logs.text.includes('mail written to') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const files = readdirSync(join(dir, 'mail'));
      expect(files).toHaveLength(1);
      const eml = readFileSync(join(dir, 'mail', files[0]), 'utf8');
      expect(eml).toContain(`To: ${user.email}`);
      expect(eml).toContain('verify-email#token=');
      const line = t.logs.lines.find((l) => l.includes('mail written to'));
      expect(line).toContain(files[0]);
      expect(line).not.toContain('token');
    } finally {
      await t.close();
    }
  });
});
