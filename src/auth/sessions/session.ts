/** A login session: one refresh-token chain. Times are ISO strings except `expiresAt` (epoch s). */
export interface Session {
  readonly sessionId: string;
  readonly userId: string;
  /** SHA-256 (base64url) of the current refresh secret. */
  readonly refreshHash: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** Refresh expiry, epoch seconds; also the item's TTL. */
  readonly expiresAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** What a refresh changes on the session. */
export interface SessionRotation {
  readonly refreshHash: string;
  readonly lastUsedAt: string;
  readonly expiresAt: number;
  readonly ip: string | null;
  readonly userAgent: string | null;
}
