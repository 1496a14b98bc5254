import type { Role } from '../../common/auth/principal';

export type UserRole = Exclude<Role, 'service'>;
export type UserStatus = 'active' | 'disabled';

/** A registered user as the services see it (persistence details stay in the adapter). */
export interface User {
  readonly userId: string;
  /** Lower-case, 6–30 of [a-z0-9_]. */
  readonly username: string;
  /** Lower-case. */
  readonly email: string;
  readonly passwordHash: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly phone: string | null;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string | null;
  readonly marketingEmailsConsent: boolean;
  readonly role: UserRole;
  readonly status: UserStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Bumped by every password change (never by a rehash of the same password); 0 when the stored item
   * has none. A session records the version whose hash its login verified and is dead once the
   * user's version differs, whether or not its item has been deleted yet.
   */
  readonly credentialVersion: number;
  /** When the password was last changed (ISO, ms), or null if never. Informational only. */
  readonly passwordChangedAt: string | null;
  /** The session that made that change, or null (none, or an admin changed it). Informational. */
  readonly passwordChangedBySession: string | null;
  /** The current address was confirmed through a verification link (false after a change). */
  readonly emailVerified: boolean;
  readonly emailVerifiedAt: string | null;
}

/** A profile change: absent keys stay, `null` clears an optional field. */
export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  email?: string;
  phone?: string | null;
  dateOfBirth?: string | null;
  marketingEmailsConsent?: boolean;
}

/** The owner of a session as the JWT guard needs it. */
export interface UserSummary {
  readonly username: string;
  readonly role: UserRole;
  readonly status: UserStatus;
  readonly credentialVersion: number;
}
