import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config';
import { presentBalance, presentTransaction } from './balance.presenter';
import { BalanceNotFoundError } from './domain/balance.errors';
import type { Balance } from './domain/ledger';
import type { BalanceResponse, TransactionPageResponse } from './dto/balance.responses';
import { DEFAULT_PAGE_SIZE, TransactionListQuery } from './dto/transaction-list.query';
import { LedgerCursorCodec } from './ledger-cursor';
import { BalanceRepository } from './persistence/balance.repository';

/** Balance and history reads (strongly consistent). */
@Injectable()
export class BalanceService {
  private readonly cursors: LedgerCursorCodec;

  constructor(
    private readonly repository: BalanceRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cursors = new LedgerCursorCodec(config.jwt.secret);
  }

  /** @param started the read the JWT guard already started for this user (one round trip). */
  async getBalance(userId: string, started?: Promise<Balance | null>): Promise<BalanceResponse> {
    const balance = await (started ?? this.repository.getBalance(userId));
    if (!balance) throw new BalanceNotFoundError();
    return presentBalance(balance);
  }

  async listTransactions(
    userId: string,
    query: TransactionListQuery,
    signal?: AbortSignal,
  ): Promise<TransactionPageResponse> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor ? this.cursors.decode(userId, query.cursor) : undefined;
    const page = await this.repository.listTransactions(
      userId,
      {
        limit,
        after,
        skip: after ? 0 : (query.offset ?? 0),
        type: query.type,
        status: query.status,
      },
      signal,
    );
    const resumeAfter =
      page.resumeAfter ?? page.transactions[page.transactions.length - 1]?.transactionId;
    return {
      transactions: page.transactions.map(presentTransaction),
      count: page.transactions.length,
      total_count: page.transactions.length,
      has_more: page.hasMore,
      next_cursor: page.hasMore && resumeAfter ? this.cursors.encode(userId, resumeAfter) : null,
    };
  }
}
