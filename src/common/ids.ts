/**
 * Shapes of the ids this service generates. Path parameters are checked against them before any
 * key is built from them, so a path can never address an item of another kind (`USERNAME#…`,
 * `EMAIL#…`, `LOGIN#…`) or carry odd characters into a key.
 */

/** A user id as registration makes it: `crypto.randomUUID()`, lower-case hex 8-4-4-4-12. */
export const USER_ID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** A session id as login makes it: a ULID, 26 characters of upper-case Crockford base32. */
export const SESSION_ID_SOURCE = '[0-9A-HJKMNP-TV-Z]{26}';

const USER_ID = new RegExp(`^${USER_ID_SOURCE}$`);
const SESSION_ID = new RegExp(`^${SESSION_ID_SOURCE}$`);

export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

export function isSessionId(value: string): boolean {
  return SESSION_ID.test(value);
}

/** A transaction id: a ULID, like a session id. */
export function isTransactionId(value: string): boolean {
  return SESSION_ID.test(value);
}
