import type { ProfileChanges, User, UserRole, UserSummary } from '../domain/user';

/** Port for user storage. Only the adapter knows keys, guards and the table layout. */
export abstract class UserRepository {
  /**
   * Stores a new user with its username and e-mail guards and a zero balance, all or nothing.
   * @throws UsernameTakenError | EmailTakenError, and then nothing is written.
   */
  abstract register(user: User): Promise<void>;

  abstract findById(userId: string): Promise<User | null>;

  /** `identifier` is a lower-cased username or e-mail address. */
  abstract findByUsernameOrEmail(identifier: string): Promise<User | null>;

  /**
   * Applies a profile change to `current` (as read). An e-mail change moves the e-mail guard in the
   * same transaction. @throws EmailTakenError | ConcurrentUpdateError | UserNotFoundError
   */
  abstract updateProfile(current: User, changes: ProfileChanges, now: string): Promise<User>;

  abstract updatePasswordHash(userId: string, passwordHash: string, now: string): Promise<void>;

  abstract setRole(userId: string, role: UserRole, now: string): Promise<User>;
}

export type { UserSummary };
