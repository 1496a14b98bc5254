import type { UserRepository } from '../../users/persistence/user.repository';
import type { Session, SessionRotation } from './session';
import { SessionRepository, SessionWithOwner } from './session.repository';

/** In-memory SessionRepository for unit tests; owners come from a (fake) UserRepository. */
export class InMemorySessionRepository extends SessionRepository {
  readonly sessions = new Map<string, Session>();

  constructor(private readonly users: UserRepository) {
    super();
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
            passwordChangedAt: user.passwordChangedAt,
            passwordChangedBySession: user.passwordChangedBySession,
          }
        : null,
    };
  }

  async rotate(
    userId: string,
    sessionId: string,
    expectedHash: string,
    next: SessionRotation,
  ): Promise<boolean> {
    const current = this.sessions.get(this.key(userId, sessionId));
    if (!current || current.refreshHash !== expectedHash) return false;
    this.sessions.set(this.key(userId, sessionId), { ...current, ...next });
    return true;
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
