import type { ExecutionContext } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { OWN_DATA_READER, OwnData, OwnDataReader } from '../auth/own-data';
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
  /** Verifies 'good.token.here' (user A) and 'revoked.token.here' (signature fine, session gone). */
  class StubAuthenticator extends AccessTokenAuthenticator {
    readonly order: string[] = [];
    async authenticate(token: string, alongside?: (userId: string) => void): Promise<Principal> {
      if (token !== 'good.token.here' && token !== 'revoked.token.here') {
        throw new UnauthorizedError();
      }
      alongside?.(USER_A);
      this.order.push('session read');
      await new Promise((resolve) => setImmediate(resolve));
      if (token === 'revoked.token.here') throw new UnauthorizedError();
      return principal('customer');
    }
  }
  class BalanceReader extends OwnDataReader<string> {
    readonly reads: string[] = [];
    constructor(
      readonly order: string[],
      private readonly fail = false,
    ) {
      super();
    }
    read(userId: string): Promise<string> {
      this.reads.push(userId);
      this.order.push('own read');
      return this.fail ? Promise.reject(new Error('store down')) : Promise.resolve(`of ${userId}`);
    }
  }
  function guardWith(options: { failingRead?: boolean } = {}) {
    const authenticator = new StubAuthenticator();
    const reader = new BalanceReader(authenticator.order, options.failingRead);
    const modules = { get: () => reader } as unknown as ModuleRef;
    return { guard: new JwtAuthGuard(new Reflector(), authenticator, modules), reader };
  }
  const { guard } = guardWith();
  const ownData = (req: FakeRequest): unknown => {
    // The factory createParamDecorator wraps, as Nest calls it for a handler parameter.
    class Probe {
      handler(@OwnData() _value: unknown) {}
    }
    const meta = Reflect.getMetadata('__routeArguments__', Probe, 'handler') as Record<
      string,
      { factory: (data: unknown, ctx: ExecutionContext) => unknown }
    >;
    return Object.values(meta)[0].factory(undefined, context(req));
  };

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

  describe('@ReadsOwnData: the route’s first read alongside the session check', () => {
    const readerMeta = { [OWN_DATA_READER]: BalanceReader };

    it('starts the read with the verified user id before the session read, and hands it to the route', async () => {
      const { guard: g, reader } = guardWith();
      const req = request('GET', '/users/:user_id/balance', { user_id: 'me' });
      req.headers.authorization = 'Bearer good.token.here';
      await expect(g.canActivate(context(req, readerMeta))).resolves.toBe(true);
      expect(reader.order).toEqual(['own read', 'session read']);
      expect(reader.reads).toEqual([USER_A]);
      await expect(ownData(req)).resolves.toBe(`of ${USER_A}`);
    });

    it.each([
      ['the caller’s own id', USER_A, [USER_A]],
      ['a compatibility route (no user_id)', undefined, [USER_A]],
      ['another user’s id', USER_B, []],
    ])('on %s reads %j', async (_name, raw, expected) => {
      const { guard: g, reader } = guardWith();
      const req = request('GET', '/balance', raw === undefined ? {} : { user_id: raw });
      req.headers.authorization = 'Bearer good.token.here';
      await g.canActivate(context(req, readerMeta));
      expect(reader.reads).toEqual(expected);
      if (expected.length === 0) expect(ownData(req)).toBeUndefined();
    });

    it('hands the route nothing when the request acts on someone else than the read was for', async () => {
      const { guard: g } = guardWith();
      const req = request('GET', '/users/:user_id/balance', { user_id: 'me' });
      req.headers.authorization = 'Bearer good.token.here';
      await g.canActivate(context(req, readerMeta));
      req.targetUserId = USER_B;
      expect(ownData(req)).toBeUndefined();
    });

    it('refuses a revoked session with 401 even though the read was started, and drops the read quietly', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      try {
        const { guard: g, reader } = guardWith({ failingRead: true });
        const req = request('GET', '/users/:user_id/balance', { user_id: 'me' });
        req.headers.authorization = 'Bearer revoked.token.here';
        await expect(g.canActivate(context(req, readerMeta))).rejects.toBeInstanceOf(
          UnauthorizedError,
        );
        expect(reader.reads).toEqual([USER_A]);
        expect(req.user).toBeUndefined();
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        process.off('unhandledRejection', onUnhandled);
      }
    });

    it('starts nothing on a route without @ReadsOwnData', async () => {
      const { guard: g, reader } = guardWith();
      const req = request('GET', '/users/:user_id/balance', { user_id: 'me' });
      req.headers.authorization = 'Bearer good.token.here';
      await g.canActivate(context(req));
      expect(reader.reads).toEqual([]);
      expect(ownData(req)).toBeUndefined();
    });
  });
});

describe('guards, on what they say and where they step aside', () => {
  const jwt = new JwtAuthGuard(
    new Reflector(),
    { authenticate: () => Promise.reject(new Error('never called')) },
    { get: () => undefined } as unknown as ModuleRef,
  );
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
