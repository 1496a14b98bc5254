import { ManualClock } from './manual-clock';
import { openTestTable, TestTable } from './test-table';

export interface ContractFixture {
  cleanup(): Promise<void>;
}

/**
 * Registers hooks giving each test of a contract suite a fresh manual clock and a fresh fixture
 * built on it; read them through the returned object inside tests.
 */
export function useContractFixture<F extends ContractFixture>(
  makeRepo: (clock: ManualClock) => Promise<F>,
): { readonly clock: ManualClock; readonly fixture: F } {
  const current = {} as { clock: ManualClock; fixture: F };
  beforeEach(async () => {
    current.clock = new ManualClock();
    current.fixture = await makeRepo(current.clock);
  });
  afterEach(() => current.fixture.cleanup());
  return current;
}

/** Registers hooks opening a `test_` table of its own for one adapter spec file, dropped after it. */
export function useTestTable(label: string): { readonly table: TestTable } {
  const current = {} as { table: TestTable };
  beforeAll(async () => {
    current.table = await openTestTable(label);
  });
  afterAll(() => current.table.drop());
  return current;
}
