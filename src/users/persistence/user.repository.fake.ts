import type { AccountWrites } from '../domain/email-token';
import type { ProfileChanges, User, UserRole } from '../domain/user';
import {
  ChangerSessionGoneError,
  ConcurrentUpdateError,
  EmailTakenError,
  UserNotFoundError,
  UsernameTakenError,
} from '../users.errors';
import { UserRepository } from './user.repository';

/** The session half of a password change's transaction (the in-memory session fake wires itself). */
export interface ChangerSessionStore {
  hasSession(userId: string, sessionId: string): boolean;
  setCredentialVersion(userId: string, sessionId: string, version: number): void;
}

/** In-memory UserRepository for unit tests: same conflicts as the DynamoDB adapter. */
export class InMemoryUserRepository extends UserRepository {
  readonly users = new Map<string, User>();
  changerSessions: ChangerSessionStore | null = null;
  readonly usernames = new Map<string, string>();
  readonly emails = new Map<string, string>();

  // The account writes (token, mails) belong to the AccountRepository fake; they are accepted and
  // ignored here, as callers' tests read them from the call.
  async register(user: User, _writes?: AccountWrites): Promise<void> {
    if (this.usernames.has(user.username)) throw new UsernameTakenError();
    if (this.emails.has(user.email)) throw new EmailTakenError();
    this.users.set(user.userId, user);
    this.usernames.set(user.username, user.userId);
    this.emails.set(user.email, user.userId);
  }

  async findById(userId: string): Promise<User | null> {
    return this.users.get(userId) ?? null;
  }

  async findByUsernameOrEmail(identifier: string): Promise<User | null> {
    const id = identifier.includes('@')
      ? this.emails.get(identifier)
      : this.usernames.get(identifier);
    return id ? this.findById(id) : null;
  }

  async updateProfile(
    current: User,
    changes: ProfileChanges,
    now: string,
    _writes?: AccountWrites,
  ): Promise<User> {
    const stored = this.users.get(current.userId);
    if (!stored) throw new UserNotFoundError();
    if (changes.email !== undefined && changes.email !== stored.email) {
      if (stored.email !== current.email) throw new ConcurrentUpdateError();
      if (this.emails.has(changes.email)) throw new EmailTakenError();
      this.emails.delete(stored.email);
      this.emails.set(changes.email, stored.userId);
      const updated: User = {
        ...stored,
        ...changes,
        updatedAt: now,
        emailVerified: false,
        emailVerifiedAt: null,
      };
      this.users.set(updated.userId, updated);
      return updated;
    }
    const updated: User = { ...stored, ...changes, updatedAt: now };
    this.users.set(updated.userId, updated);
    return updated;
  }

  async rehashPassword(
    userId: string,
    previousHash: string,
    passwordHash: string,
    now: string,
  ): Promise<boolean> {
    const stored = this.users.get(userId);
    if (!stored || stored.passwordHash !== previousHash) return false;
    this.users.set(userId, { ...stored, passwordHash, updatedAt: now });
    return true;
  }

  async changePassword(
    userId: string,
    expectedVersion: number,
    passwordHash: string,
    now: string,
    bySessionId: string | null,
  ): Promise<void> {
    const stored = this.users.get(userId);
    if (!stored || stored.credentialVersion !== expectedVersion) throw new ConcurrentUpdateError();
    const credentialVersion = expectedVersion + 1;
    if (bySessionId !== null) {
      if (!this.changerSessions?.hasSession(userId, bySessionId)) {
        throw new ChangerSessionGoneError();
      }
      this.changerSessions.setCredentialVersion(userId, bySessionId, credentialVersion);
    }
    this.users.set(userId, {
      ...stored,
      passwordHash,
      updatedAt: now,
      credentialVersion,
      passwordChangedAt: now,
      passwordChangedBySession: bySessionId,
    });
  }

  async setRole(userId: string, role: UserRole, now: string): Promise<User> {
    const stored = this.users.get(userId);
    if (!stored) throw new UserNotFoundError();
    const updated = { ...stored, role, updatedAt: now };
    this.users.set(userId, updated);
    return updated;
  }
}
