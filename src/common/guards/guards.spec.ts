import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthenticatedRequest, Principal, Role } from '../auth/principal';
import { IS_PUBLIC } from '../decorators/public.decorator';
import { ROLES } from '../decorators/roles.decorator';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors';
import { AccessTokenAuthenticator } from './access-token-authenticator';
import { bearerTokenOf, JwtAuthGuard } from './jwt-auth.guard';
import { OwnershipGuard, serviceMayCall } from './ownership.guard';
import { RolesGuard } from './roles.guard';

interface FakeRequest extends AuthenticatedRequest {
  method: string;
  routeOptions: { url: string };
  params: Record<string, string>;
  headers: Record<string, string>;
}

function context(request: FakeRequest, meta: Record<string, unknown> = {}): ExecutionContext {
  const handler = () => undefined;
  for (const [key, value] of Object.entries(meta)) Reflect.defineMetadata(key, value, handler);
  return {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

/** User ids in the shape registration generates (`crypto.randomUUID()`). */
const USER_A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const USER_B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const principal = (role: Role, userId = USER_A): Principal => ({
  userId,
  username: 'someone',
  role,
  sessionId: role === 'service' ? undefined : 's1',
});

function request(
  method: string,
  url: string,
  params: Record<string, string>,
  user?: Principal,
): FakeRequest {
  return { method, routeOptions: { url }, params, headers: {}, user };
}

describe('OwnershipGuard', () => {
  const guard = new OwnershipGuard();
  const profile = '/users/:user_id/profile';

  it.each([
    ['customer', 'me', USER_A],
    ['customer', USER_A, USER_A],
    ['admin', USER_B, USER_B],
    ['admin', 'me', USER_A],
  ] as const)('lets a %s reach %s (target %s)', (role, raw, target) => {
    const req = request('GET', profile, { user_id: raw }, principal(role));
    expect(guard.canActivate(context(req))).toBe(true);
    expect(req.targetUserId).toBe(target);
  });

  it("refuses a customer another user's id before any handler runs", () => {
    const req = request('GET', profile, { user_id: USER_B }, principal('customer'));
    expect(() => guard.canActivate(context(req))).toThrow(ForbiddenError);
    expect(req.targetUserId).toBeUndefined();
  });

  const notUserIds = [
    'USERNAME#someone',
    'EMAIL#a@example.com',
    'LOGIN#someone',
    '../',
    "x'y",
    '',
    'ME',
    USER_B.toUpperCase(),
    `${USER_B} `,
    `${USER_B}#x`,
    'user-b',
  ];
  it.each(
    (['customer', 'admin', 'service'] as const).flatMap((r) =>
      notUserIds.map((id): [Role, string] => [r, id]),
    ),
  )('answers a %s 404 for a user_id that is not a UUID (%j)', (role, raw) => {
    const url = role === 'service' ? '/users/:user_id/balance' : profile;
    const req = request('GET', url, { user_id: raw }, principal(role));
    expect(() => guard.canActivate(context(req))).toThrow(NotFoundError);
    expect(req.targetUserId).toBeUndefined();
  });

  it('leaves routes without user_id alone (TargetUserId falls back to the caller)', () => {
    const req = request('GET', '/auth/profile', {}, principal('customer'));
    expect(guard.canActivate(context(req))).toBe(true);
    expect(req.targetUserId).toBeUndefined();
  });

  it('lets service tokens read balances and call /internal/*, nothing else', () => {
    expect(serviceMayCall('GET', '/users/:user_id/balance')).toBe(true);
    expect(serviceMayCall('POST', '/internal/users/:user_id/balance/holds')).toBe(true);
    expect(serviceMayCall('POST', '/users/:user_id/balance/deposit')).toBe(false);
    expect(serviceMayCall('GET', '/users/:user_id/profile')).toBe(false);
    expect(serviceMayCall('GET', '/balance')).toBe(false);
    const ok = request(
      'GET',
      '/users/:user_id/balance',
      { user_id: USER_B },
      principal('service', 'service:x'),
    );
    expect(guard.canActivate(context(ok))).toBe(true);
    expect(ok.targetUserId).toBe(USER_B);
    const denied = request('GET', profile, { user_id: USER_B }, principal('service', 'service:x'));
    expect(() => guard.canActivate(context(denied))).toThrow(ForbiddenError);
    const me = request(
      'GET',
      '/users/:user_id/balance',
      { user_id: 'me' },
      principal('service', 'service:x'),
    );
    expect(() => guard.canActivate(context(me))).toThrow(ForbiddenError);
  });

  it('ignores public routes (no principal)', () => {
    expect(guard.canActivate(context(request('POST', '/auth/login', {})))).toBe(true);
  });
});

describe('RolesGuard', () => {
  const guard = new RolesGuard(new Reflector());

  it('enforces @Roles on the handler', () => {
    const meta = { [ROLES]: ['service', 'admin'] };
    const route = '/internal/users/:user_id/balance/holds';
    expect(guard.canActivate(context(request('POST', route, {}, principal('service')), meta))).toBe(
      true,
    );
    expect(guard.canActivate(context(request('POST', route, {}, principal('admin')), meta))).toBe(
      true,
    );
    expect(() =>
      guard.canActivate(context(request('POST', route, {}, principal('customer')), meta)),
    ).toThrow(ForbiddenError);
  });

  it('keeps customers out of /internal/* even without @Roles', () => {
    const req = request('GET', '/internal/users/:user_id/reconcile', {}, principal('customer'));
    expect(() => guard.canActivate(context(req))).toThrow(ForbiddenError);
    expect(
      guard.canActivate(
        context(request('GET', '/users/:user_id/profile', {}, principal('customer'))),
      ),
    ).toBe(true);
  });
});

describe('JwtAuthGuard', () => {
  class StubAuthenticator extends AccessTokenAuthenticator {
    async authenticate(token: string): Promise<Principal> {
      if (token !== 'good.token.here') throw new UnauthorizedError();
      return principal('customer');
    }
  }
  const guard = new JwtAuthGuard(new Reflector(), new StubAuthenticator());

  it('parses only well-formed bearer headers', () => {
    expect(bearerTokenOf('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenOf('bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerTokenOf('Basic dXNlcjpwYXNz')).toBeNull();
    expect(bearerTokenOf('Bearer ')).toBeNull();
    expect(bearerTokenOf('Bearer a b')).toBeNull();
    expect(bearerTokenOf(undefined)).toBeNull();
  });

  it('sets request.user for a good token and refuses missing or bad ones with 401', async () => {
    const req = request('GET', '/users/:user_id/profile', {});
    req.headers.authorization = 'Bearer good.token.here';
    await expect(guard.canActivate(context(req))).resolves.toBe(true);
    expect(req.user?.role).toBe('customer');
    const none = request('GET', '/users/:user_id/profile', {});
    await expect(guard.canActivate(context(none))).rejects.toBeInstanceOf(UnauthorizedError);
    const bad = request('GET', '/users/:user_id/profile', {});
    bad.headers.authorization = 'Bearer bad.token.here';
    await expect(guard.canActivate(context(bad))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('lets @Public() routes through without a token', async () => {
    const req = request('POST', '/auth/login', {});
    await expect(guard.canActivate(context(req, { [IS_PUBLIC]: true }))).resolves.toBe(true);
    expect(req.user).toBeUndefined();
  });
});

describe('guards, on what they say and where they step aside', () => {
  const jwt = new JwtAuthGuard(new Reflector(), {
    authenticate: () => Promise.reject(new Error('never called')),
  });
  const ownership = new OwnershipGuard();
  const roles = new RolesGuard(new Reflector());

  it.each([
    ['JwtAuthGuard', (c: ExecutionContext) => jwt.canActivate(c)],
    ['OwnershipGuard', (c: ExecutionContext) => ownership.canActivate(c)],
    ['RolesGuard', (c: ExecutionContext) => roles.canActivate(c)],
  ])('%s lets a non-HTTP context through without reading a request', async (_name, activate) => {
    const rpc = {
      getType: () => 'rpc',
      switchToHttp: () => {
        throw new Error('not an HTTP context');
      },
    } as unknown as ExecutionContext;
    await expect(Promise.resolve(activate(rpc))).resolves.toBe(true);
  });

  it('answers a missing bearer token with 401, a WWW-Authenticate challenge and its reason', async () => {
    const err: unknown = await jwt
      .canActivate(context(request('GET', '/users/:user_id/profile', {})))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toMatchObject({
      status: 401,
      code: 'unauthorized',
      detail: 'A bearer access token is required.',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  });

  it.each([
    [
      'a service token on a route outside its scope',
      'GET',
      '/users/:user_id/profile',
      USER_B,
      'Service tokens may not call this route.',
    ],
    [
      'a service token asking for "me"',
      'GET',
      '/users/:user_id/balance',
      'me',
      'A service token has no own user.',
    ],
  ])('refuses %s, saying why', (_label, method, url, raw, detail) => {
    const req = request(method, url, { user_id: raw }, principal('service', 'service:x'));
    expect(() => ownership.canActivate(context(req))).toThrow(new ForbiddenError(detail));
  });

  it('says a user_id that is not a user id does not exist', () => {
    const req = request(
      'GET',
      '/users/:user_id/profile',
      { user_id: 'nobody' },
      principal('admin'),
    );
    expect(() => ownership.canActivate(context(req))).toThrow(
      new NotFoundError('The user does not exist.'),
    );
  });

  it('lets a service token only GET a balance: no other method on that route', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
      expect(serviceMayCall(method, '/users/:user_id/balance')).toBe(false);
    }
  });

  it('treats a request with no matched route (no routeOptions) as outside every scope, without crashing', () => {
    const unmatched = (user: Principal): FakeRequest =>
      ({
        method: 'GET',
        params: {},
        headers: {},
        user,
      }) as unknown as FakeRequest;
    expect(() => ownership.canActivate(context(unmatched(principal('service'))))).toThrow(
      ForbiddenError,
    );
    expect(ownership.canActivate(context(unmatched(principal('customer'))))).toBe(true);
    expect(roles.canActivate(context(unmatched(principal('customer'))))).toBe(true);
  });

  it('refuses a role @Roles does not name, saying why, and leaves public routes (no principal) alone', () => {
    const meta = { [ROLES]: ['admin'] };
    const route = '/users/:user_id/roles';
    expect(() =>
      roles.canActivate(context(request('PUT', route, {}, principal('customer')), meta)),
    ).toThrow(new ForbiddenError('Your role may not call this route.'));
    expect(roles.canActivate(context(request('PUT', route, {}), meta))).toBe(true);
  });
});
