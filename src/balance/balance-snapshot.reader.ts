import { Injectable } from '@nestjs/common';
import { OwnDataReader } from '../common/auth/own-data';
import type { Balance } from './domain/ledger';
import { BalanceRepository } from './persistence/balance.repository';

/**
 * The balance routes' first read (GET balance, deposit, withdraw): the JWT guard starts it with the
 * session check, so a balance read costs one round trip and a movement two (read, then write).
 */
@Injectable()
export class BalanceSnapshotReader extends OwnDataReader<Balance | null> {
  constructor(private readonly repository: BalanceRepository) {
    super();
  }

  read(userId: string): Promise<Balance | null> {
    return this.repository.getBalance(userId);
  }
}
