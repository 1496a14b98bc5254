import { ItemKey, keys } from '../../database/keys';
import type { User } from '../domain/user';

/** The stored User item (SPEC §5): snake_case attributes; optional ones are absent, not null. */
export interface UserItem extends ItemKey {
  entity: 'user';
  user_id: string;
  username: string;
  email: string;
  password_hash: string;
  first_name: string;
  last_name: string;
  phone?: string;
  date_of_birth?: string;
  marketing_emails_consent: boolean;
  role: User['role'];
  status: User['status'];
  created_at: string;
  updated_at: string;
  /** Bumped by every password change; absent = 0. */
  credential_version?: number;
  password_changed_at?: string;
  password_changed_by_session?: string;
  /** Absent = false (users from before verification existed). */
  email_verified?: boolean;
  email_verified_at?: string;
  /** Why an admin disabled the account (with who and when). */
  disabled_reason?: string;
  disabled_by?: string;
  disabled_at?: string;
}

export function toUserItem(user: User): UserItem {
  const item: UserItem = {
    ...keys.user(user.userId),
    entity: 'user',
    user_id: user.userId,
    username: user.username,
    email: user.email,
    password_hash: user.passwordHash,
    first_name: user.firstName,
    last_name: user.lastName,
    marketing_emails_consent: user.marketingEmailsConsent,
    role: user.role,
    status: user.status,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
    credential_version: user.credentialVersion,
    email_verified: user.emailVerified,
  };
  if (user.emailVerifiedAt !== null) item.email_verified_at = user.emailVerifiedAt;
  if (user.phone !== null) item.phone = user.phone;
  if (user.dateOfBirth !== null) item.date_of_birth = user.dateOfBirth;
  if (user.passwordChangedAt !== null) item.password_changed_at = user.passwordChangedAt;
  if (user.passwordChangedBySession !== null) {
    item.password_changed_by_session = user.passwordChangedBySession;
  }
  return item;
}

export function fromUserItem(item: UserItem): User {
  return {
    userId: item.user_id,
    username: item.username,
    email: item.email,
    passwordHash: item.password_hash,
    firstName: item.first_name,
    lastName: item.last_name,
    phone: item.phone ?? null,
    dateOfBirth: item.date_of_birth ?? null,
    marketingEmailsConsent: item.marketing_emails_consent === true,
    role: item.role === 'admin' ? 'admin' : 'customer',
    status: item.status === 'disabled' ? 'disabled' : 'active',
    createdAt: item.created_at,
    updatedAt: item.updated_at,
    credentialVersion: Number(item.credential_version ?? 0),
    passwordChangedAt: item.password_changed_at ?? null,
    passwordChangedBySession: item.password_changed_by_session ?? null,
    emailVerified: item.email_verified === true,
    emailVerifiedAt: item.email_verified_at ?? null,
  };
}

/** Stored attribute names of the changeable profile fields. */
export const PROFILE_ATTRIBUTES = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  dateOfBirth: 'date_of_birth',
  marketingEmailsConsent: 'marketing_emails_consent',
} as const;
