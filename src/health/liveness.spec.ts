import Fastify from 'fastify';
import { answerLivenessEarly, livenessOf } from './liveness';

describe('answerLivenessEarly', () => {
  async function app() {
    const fastify = Fastify();
    const reached: string[] = [];
    fastify.addHook('onRequest', (_request, reply, done) => {
      reply.header('X-Earlier-Hook', 'ran');
      done();
    });
    answerLivenessEarly(fastify, '9.9.9');
    const handler = async (request: { url: string }) => {
      reached.push(request.url);
      return { from: 'handler' };
    };
    for (const path of ['/health', '/health/live', '/health/ready']) fastify.get(path, handler);
    fastify.post('/health', handler);
    const logged: number[] = [];
    fastify.addHook('onResponse', (_request, reply, done) => {
      logged.push(reply.statusCode);
      done();
    });
    await fastify.ready();
    return { fastify, reached, logged };
  }

  it('answers GET /health and /health/live before the handler, after earlier hooks, through onResponse', async () => {
    const { fastify, reached, logged } = await app();
    for (const url of ['/health', '/health/live']) {
      const res = await fastify.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-earlier-hook']).toBe('ran');
      expect(res.json()).toEqual({
        status: 'healthy',
        service: 'user-service',
        version: '9.9.9',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }
    expect(reached).toEqual([]);
    expect(logged).toEqual([200, 200]);
    await fastify.close();
  });

  it('leaves readiness, other methods and unknown paths to the routes', async () => {
    const { fastify, reached } = await app();
    expect((await fastify.inject({ method: 'GET', url: '/health/ready' })).json()).toEqual({
      from: 'handler',
    });
    expect((await fastify.inject({ method: 'POST', url: '/health' })).json()).toEqual({
      from: 'handler',
    });
    expect((await fastify.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(404);
    expect(reached).toEqual(['/health/ready', '/health']);
    await fastify.close();
  });

  it('gives the body the controller documents', () => {
    expect(livenessOf('1.2.3', Date.parse('2026-01-02T03:04:05.000Z'))).toEqual({
      status: 'healthy',
      service: 'user-service',
      version: '1.2.3',
      timestamp: '2026-01-02T03:04:05.000Z',
    });
  });
});
