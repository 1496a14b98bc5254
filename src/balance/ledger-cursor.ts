import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from './domain/balance.errors';

const VERSION = 'v1';
const TRANSACTION_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const MAC_BYTES = 16;

/**
 * Opaque, tamper-proof paging cursors: the position (a transaction id) plus an HMAC over the user id
 * and the position, so a cursor can neither be forged nor replayed against another user's history.
 */
export class LedgerCursorCodec {
  private readonly key: Buffer;

  /** `secret`: the service's signing secret; a purpose-specific key is derived from it. */
  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('ledger-cursor-key-v1').digest();
  }

  encode(userId: string, transactionId: string): string {
    const position = Buffer.from(`${VERSION}:${transactionId}`).toString('base64url');
    return `${position}.${this.mac(userId, transactionId).toString('base64url')}`;
  }

  /** The transaction id the cursor points after; InvalidCursorError (422) if it is not genuine. */
  decode(userId: string, cursor: string): string {
    const [position, mac, extra] = cursor.split('.');
    if (!position || !mac || extra !== undefined) throw new InvalidCursorError();
    const [version, transactionId, rest] = Buffer.from(position, 'base64url').toString().split(':');
    if (
      version !== VERSION ||
      !transactionId ||
      rest !== undefined ||
      !TRANSACTION_ID.test(transactionId)
    ) {
      throw new InvalidCursorError();
    }
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(userId, transactionId);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new InvalidCursorError();
    }
    return transactionId;
  }

  private mac(userId: string, transactionId: string): Buffer {
    return createHmac('sha256', this.key)
      .update(`${userId}\n${transactionId}`)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
