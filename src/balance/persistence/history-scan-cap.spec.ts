import type { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ClientClosedRequestError } from '../../common/http/client-abort-signal.decorator';
import type { AppConfig } from '../../config';
import { DynamoBalanceRepository, HISTORY_SCAN_CAP } from './dynamo-balance.repository';

/** A store whose ledger never ends and never matches the filter: the worst case for a scan. */
function endlessLedger(onSend: (call: number) => void = () => undefined) {
  let calls = 0;
  const send = jest.fn(async (command: QueryCommand) => {
    calls += 1;
    onSend(calls);
    const limit = command.input.Limit ?? 0;
    return {
      Items: [],
      ScannedCount: limit,
      LastEvaluatedKey: {
        PK: 'u1',
        SK: `TX#01ARZ3NDEKTSV4RRFFQ69G5F${String(calls).padStart(2, '0')}`,
      },
    };
  });
  const db = { send } as unknown as DynamoDBDocumentClient;
  const config = { dynamodb: { tableName: 'test_table' } } as AppConfig;
  return { repo: new DynamoBalanceRepository(db, config), send };
}

describe('DynamoBalanceRepository.listTransactions scan cap', () => {
  it('stops after examining the cap and answers a short page continuing at the last item examined', async () => {
    const { repo, send } = endlessLedger();
    const page = await repo.listTransactions('u1', { limit: 1, type: 'order_payment' });
    const examined = send.mock.calls.reduce((n, [c]) => n + (c.input.Limit ?? 0), 0);
    expect(examined).toBe(HISTORY_SCAN_CAP);
    expect(send).toHaveBeenCalledTimes(HISTORY_SCAN_CAP / 100);
    expect(send.mock.calls.every(([c]) => c.input.Limit === 100)).toBe(true);
    expect(page).toEqual({
      transactions: [],
      hasMore: true,
      resumeAfter: `01ARZ3NDEKTSV4RRFFQ69G5F${String(HISTORY_SCAN_CAP / 100).padStart(2, '0')}`,
    });
  });

  it('makes no further query once the client has gone', async () => {
    const controller = new AbortController();
    const { repo, send } = endlessLedger((call) => {
      if (call === 2) controller.abort();
    });
    await expect(
      repo.listTransactions('u1', { limit: 1, type: 'order_payment' }, controller.signal),
    ).rejects.toBeInstanceOf(ClientClosedRequestError);
    expect(send).toHaveBeenCalledTimes(2);
  });
});
