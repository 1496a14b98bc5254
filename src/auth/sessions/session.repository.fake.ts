import type { UserRepository } from '../../users/persistence/user.repository';
import {
  ChangerSessionStore,
  InMemoryUserRepository,
} from '../../users/persistence/user.repository.fake';
import type { RotateOutcome, Session, SessionRotation } from './session';
import { SessionRepository, SessionWithOwner } from './session.repository';

/** In-memory SessionRepository for unit tests; owners come from a (fake) UserRepository. */
export class InMemorySessionRepository extends SessionRepository implements ChangerSessionStore {
  readonly sessions = new Map<string, Session>();

  constructor(private readonly users: UserRepository) {
    super();
    // A password change bumps the changer session in the same (here: synchronous) step.
    if (users instanceof InMemoryUserRepository) users.changerSessions = this;
  }

  hasSession(userId: string, sessionId: string): boolean {
    return this.sessions.has(this.key(userId, sessionId));
  }

  setCredentialVersion(userId: string, sessionId: string, credentialVersion: number): void {
    const current = this.sessions.get(this.key(userId, sessionId));
    if (current) this.sessions.set(this.key(userId, sessionId), { ...current, credentialVersion });
  }

  private key(userId: string, sessionId: string): string {
    return `${userId}/${sessionId}`;
  }

  async create(session: Session): Promise<void> {
    this.sessions.set(this.key(session.userId, session.sessionId), session);
  }

  async findWithOwner(userId: string, sessionId: string): Promise<SessionWithOwner> {
    const user = await this.users.findById(userId);
    return {
      session: this.sessions.get(this.key(userId, sessionId)) ?? null,
      owner: user
        ? {
            username: user.username,
            role: user.role,
            status: user.status,
            credentialVersion: user.credentialVersion,
          }
        : null,
    };
  }

  async rotate(
    userId: string,
    sessionId: string,
    expectedHash: string,
    next: SessionRotation,
  ): Promise<RotateOutcome> {
    const current = this.sessions.get(this.key(userId, sessionId));
    if (!current) return 'gone';
    if (current.refreshHash !== expectedHash) return 'reused';
    this.sessions.set(this.key(userId, sessionId), { ...current, ...next });
    return 'rotated';
  }

  async revoke(userId: string, sessionId: string): Promise<boolean> {
    return this.sessions.delete(this.key(userId, sessionId));
  }

  async listByUser(userId: string): Promise<Session[]> {
    return [...this.sessions.values()].filter((s) => s.userId === userId);
  }

  async revokeAllExcept(userId: string, keepSessionId?: string): Promise<number> {
    const doomed = (await this.listByUser(userId)).filter((s) => s.sessionId !== keepSessionId);
    for (const s of doomed) this.sessions.delete(this.key(userId, s.sessionId));
    return doomed.length;
  }
}
