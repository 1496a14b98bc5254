import type { Principal } from '../auth/principal';

/**
 * Port the JWT guard depends on: turns a bearer token into the caller, or throws an
 * `UnauthorizedError`. The auth module provides the implementation (signature, claims, session).
 */
export abstract class AccessTokenAuthenticator {
  /**
   * @param alongside called at most once, with the user id of a token whose signature, issuer,
   *   audience and expiry are valid, in the same turn of the event loop as the session read starts:
   *   the guard starts the route's own first read there (one round trip for both). Whatever it
   *   starts must have no effect, as the session may still turn out revoked.
   */
  abstract authenticate(token: string, alongside?: (userId: string) => void): Promise<Principal>;
}
