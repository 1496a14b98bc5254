import type { AccountWrites } from '../domain/email-token';
import type { ProfileChanges, User, UserRole, UserSummary } from '../domain/user';

/** Port for user storage. Only the adapter knows keys, guards and the table layout. */
export abstract class UserRepository {
  /**
   * Stores a new user with its username and e-mail guards and a zero balance, all or nothing, with
   * `writes` (the verification token and its mail) in the same transaction.
   * @throws UsernameTakenError | EmailTakenError, and then nothing is written.
   */
  abstract register(user: User, writes?: AccountWrites): Promise<void>;

  abstract findById(userId: string): Promise<User | null>;

  /** `identifier` is a lower-cased username or e-mail address. */
  abstract findByUsernameOrEmail(identifier: string): Promise<User | null>;

  /**
   * Applies a profile change to `current` (as read). An e-mail change moves the e-mail guard, marks
   * the new address unverified and stores `writes` (new token, mails), all in the same transaction.
   * @throws EmailTakenError | ConcurrentUpdateError | UserNotFoundError
   */
  abstract updateProfile(
    current: User,
    changes: ProfileChanges,
    now: string,
    writes?: AccountWrites,
  ): Promise<User>;

  /**
   * Replaces the hash of the same password (a rehash at another bcrypt cost); sessions stay, and
   * `credential_version` is left alone. Applies
   * only while the stored hash is still `previousHash`, so it can never undo a concurrent password
   * change. Returns false when the hash had changed (or the user is gone) and nothing was written.
   */
  abstract rehashPassword(
    userId: string,
    previousHash: string,
    passwordHash: string,
    now: string,
  ): Promise<boolean>;

  /**
   * A password change, all or nothing: the new hash, `credential_version = expectedVersion + 1`,
   * `password_changed_at = now` and `password_changed_by_session` on the user item, applied only while
   * the stored version is still `expectedVersion` (the read whose hash verified the current
   * password). Every session whose `credential_version` is not the new one is dead from that write
   * on. The changer session (`bySessionId`, null: none survives) gets the new version in the SAME
   * TransactWriteItems, so it needs no exception to the rule and survives any number of changes.
   * @throws ConcurrentUpdateError (the version moved) | ChangerSessionGoneError (that session was
   * revoked meanwhile); nothing is written then.
   */
  abstract changePassword(
    userId: string,
    expectedVersion: number,
    passwordHash: string,
    now: string,
    bySessionId: string | null,
  ): Promise<void>;

  abstract setRole(userId: string, role: UserRole, now: string): Promise<User>;
}

export type { UserSummary };
