import type { ExecutionContext } from '@nestjs/common';
import { routeOf } from './route-of';

const http = (request: object) =>
  ({ switchToHttp: () => ({ getRequest: () => request }) }) as unknown as ExecutionContext;

describe('routeOf', () => {
  it('gives the method and the matched route template', () => {
    const request = {
      method: 'GET',
      url: '/users/me/balance',
      routeOptions: { url: '/users/:user_id/balance' },
    };
    expect(routeOf(http(request))).toEqual({ method: 'GET', template: '/users/:user_id/balance' });
  });

  it('gives an empty template when no route matched', () => {
    expect(routeOf(http({ method: 'POST', url: '/nowhere' }))).toEqual({
      method: 'POST',
      template: '',
    });
  });
});
