import { randomUUID } from 'node:crypto';
import { ulid } from 'ulid';
import type { Session } from '../../auth/sessions/session';
import type { User } from '../../users/domain/user';
import type { ManualClock } from './manual-clock';

/** A fresh user with unique username and e-mail, stamped with the clock's time. */
export function newUser(clock: ManualClock, overrides: Partial<User> = {}): User {
  const tag = randomUUID().replace(/-/g, '').slice(0, 12);
  const now = clock.date().toISOString();
  return {
    userId: randomUUID(),
    username: `user_${tag}`,
    email: `user_${tag}@example.com`,
    passwordHash: `hash-${tag}`,
    firstName: 'Contract',
    lastName: 'Test',
    phone: null,
    dateOfBirth: null,
    marketingEmailsConsent: false,
    role: 'customer',
    status: 'active',
    createdAt: now,
    updatedAt: now,
    credentialVersion: 0,
    emailVerified: false,
    emailVerifiedAt: null,
    passwordChangedAt: null,
    passwordChangedBySession: null,
    ...overrides,
  };
}

/** A session of `user` started now, expiring `ttlSeconds` later. */
export function newSession(
  clock: ManualClock,
  user: Pick<User, 'userId' | 'credentialVersion'>,
  ttlSeconds = 7 * 86400,
  overrides: Partial<Session> = {},
): Session {
  const now = clock.date().toISOString();
  return {
    sessionId: ulid(clock.nowMs()),
    userId: user.userId,
    refreshHash: `refresh-${randomUUID()}`,
    usedRefreshHashes: [],
    credentialVersion: user.credentialVersion,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: clock.nowSeconds() + ttlSeconds,
    ip: '203.0.113.7',
    userAgent: 'contract-test',
    ...overrides,
  };
}
