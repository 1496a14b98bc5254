import type { Principal } from '../auth/principal';

/**
 * Port the JWT guard depends on: turns a bearer token into the caller, or throws an
 * `UnauthorizedError`. The auth module provides the implementation (signature, claims, session).
 */
export abstract class AccessTokenAuthenticator {
  abstract authenticate(token: string): Promise<Principal>;
}
