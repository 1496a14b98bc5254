import type { OperationObject } from '@nestjs/swagger';
import { HandlerRoute } from './handler-routes';
import { assignOperationIds } from './operation-ids';

const route = (method: HandlerRoute['method'], path: string, handler: string | null, id = '') => ({
  method,
  path,
  handler,
  operation: { operationId: id, responses: {} } as OperationObject,
});

const ids = (routes: HandlerRoute[], compat: string[] = []) => {
  assignOperationIds(routes, (r) => compat.includes(r.path));
  return routes.map((r) => r.operation.operationId);
};

describe('assignOperationIds', () => {
  it('names an operation after its handler method, or its entry in the table', () => {
    expect(
      ids([
        route('get', '/users/{user_id}/balance', 'BalanceController.getBalance'),
        route('get', '/users/{user_id}/sessions', 'SessionsController.list'),
      ]),
    ).toEqual(['getBalance', 'listSessions']);
  });

  it('prefixes a compatibility path of the same handler with legacy', () => {
    expect(
      ids(
        [
          route('get', '/users/{user_id}/portfolio', 'PortfolioController.portfolio'),
          route('get', '/portfolio', 'PortfolioController.portfolio'),
        ],
        ['/portfolio'],
      ),
    ).toEqual(['getPortfolio', 'legacyGetPortfolio']);
  });

  it('suffixes a further path of one handler with its last static segment', () => {
    expect(
      ids([
        route('get', '/health/ready', 'HealthController.readiness'),
        route('get', '/health/detailed', 'HealthController.readiness'),
      ]),
    ).toEqual(['getReadiness', 'getReadinessDetailed']);
  });

  it('keeps an id set by hand', () => {
    expect(ids([route('get', '/x', null, 'readX')])).toEqual(['readX']);
  });

  it('refuses two operations with one id, naming both routes', () => {
    expect(() =>
      ids([
        route('get', '/users/{user_id}/profile', 'UsersController.getProfile'),
        route('get', '/admin/users/{user_id}', 'AdminController.getProfile'),
      ]),
    ).toThrow(
      /"getProfile" is used by GET \/users\/\{user_id\}\/profile and GET \/admin\/users\/\{user_id\}/,
    );
  });

  it('refuses an id that is not camelCase', () => {
    expect(() => ids([route('get', '/x', null, 'Read_X')])).toThrow(/not camelCase/);
  });
});
