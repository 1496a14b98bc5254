import request from 'supertest';
import { startTestApp, TestApp } from './utils/test-app';
import { createAdmin, createCustomer } from './utils/users';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => { t = await startTestApp('smoke'); });
  afterAll(async () => { await t.close(); });
  it('works', async () => {
    const c = await createCustomer(t.http);
    const p = await request(t.http).get('/users/me/profile').set('Authorization', `Bearer ${c.accessToken}`);
    console.log(p.status, p.body);
    const p2 = await request(t.http).put('/auth/profile').set('Authorization', `Bearer ${c.accessToken}`).send({ phone: '+1 (555) 010-9999', email: 'new_' + c.email });
    console.log(p2.status, p2.body);
    const a = await createAdmin(t);
    const p3 = await request(t.http).get(`/users/${c.userId}/sessions`).set('Authorization', `Bearer ${a.accessToken}`);
    console.log(p3.status, p3.body);
    const r = await request(t.http).post('/auth/refresh').send({ refresh_token: c.refreshToken });
    console.log(r.status, r.body);
    const r2 = await request(t.http).post('/auth/refresh').send({ refresh_token: c.refreshToken });
    console.log(r2.status, r2.body);
    const p4 = await request(t.http).get('/users/me/profile').set('Authorization', `Bearer ${c.accessToken}`);
    console.log(p4.status, p4.body);
    const doc = await request(t.http).get('/docs-json');
    console.log(JSON.stringify(doc.body.paths['/users/{user_id}/profile'], null, 1).slice(0, 1500));
    console.log(JSON.stringify(doc.body.paths['/auth/profile'], null, 1).slice(0, 800));
    console.log(t.logs.lines.filter((l) => l.includes('audit')).join('\n'));
  });
});
