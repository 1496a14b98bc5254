import type { PendingMail } from '../mail.types';

/**
 * Port for the outbox (SPEC §5 `OUTBOX#<shard>` / `<ulid>`). Mails are written by the transactions
 * that create the tokens they carry (see the user repositories); this port is the dispatcher's side.
 */
export abstract class OutboxRepository {
  abstract readonly shards: number;

  /** Pending mails of one shard, oldest first (at most `limit`). */
  abstract listPending(shard: number, limit: number, signal?: AbortSignal): Promise<PendingMail[]>;

  /**
   * Takes the lease on a pending mail that is due and not leased (or whose lease ran out): one
   * conditional write, so of two dispatchers only one wins. False when another one has it.
   */
  abstract claim(
    mail: PendingMail,
    owner: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<boolean>;

  /** Sent: the sealed variables are dropped; kept for a while, then removed by TTL. */
  abstract markSent(mail: PendingMail, owner: string, nowMs: number): Promise<void>;

  /** Not sent this time: released for another attempt at `nextAttemptAt`. */
  abstract markRetry(
    mail: PendingMail,
    owner: string,
    nextAttemptAt: number,
    error: string,
  ): Promise<void>;

  /** Given up: the sealed variables are dropped. */
  abstract markFailed(
    mail: PendingMail,
    owner: string,
    nowMs: number,
    error: string,
  ): Promise<void>;
}
