import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { ClientContext } from '../../common/decorators/client-context.decorator';
import { LOGGER, Logger } from '../../common/logging/logger';
import { AUTH_EVENTS_TOTAL } from '../../metrics/metric-names';

export type AuthEvent =
  | 'register'
  | 'login'
  | 'lockout'
  | 'refresh'
  | 'refresh_reuse'
  | 'logout'
  | 'session_revoke'
  | 'password_change'
  | 'password_reset_request'
  | 'password_reset';

export type AuthResult = 'success' | 'failure' | 'conflict' | 'locked' | 'detected';

export interface AuthEventDetails {
  userId?: string | null;
  sessionId?: string | null;
  /** Why it failed, as a short code (never secret material). */
  reason?: string;
  /** For identifiers that match no user: a hash, so a password typed into the username field is never logged. */
  identifier?: string;
  count?: number;
}

/** First 16 hex of SHA-256: correlates attempts on one identifier without storing it. */
export function identifierFingerprint(identifier: string): string {
  return createHash('sha256').update(identifier, 'utf8').digest('hex').slice(0, 16);
}

/**
 * One JSON log line and one `auth_events_total{event,result}` increment per security event, with
 * who (user id), from where (ip, user agent) and which request. Passwords and tokens never reach it.
 */
@Injectable()
export class AuthAudit {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @InjectMetric(AUTH_EVENTS_TOTAL) private readonly events: Counter<string>,
  ) {}

  record(
    event: AuthEvent,
    result: AuthResult,
    client: ClientContext | null,
    details: AuthEventDetails = {},
  ): void {
    this.events.inc({ event, result });
    const entry = {
      audit: true,
      event: `auth.${event}`,
      result,
      user_id: details.userId ?? null,
      session_id: details.sessionId ?? undefined,
      reason: details.reason,
      identifier_fingerprint: details.identifier
        ? identifierFingerprint(details.identifier)
        : undefined,
      count: details.count,
      ip: client?.ip ?? null,
      user_agent: client?.userAgent ?? null,
      request_id: client?.requestId ?? null,
    };
    if (result === 'success') this.logger.info(entry, `auth ${event} ${result}`);
    else this.logger.warn(entry, `auth ${event} ${result}`);
  }
}
