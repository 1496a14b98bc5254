/**
 * The two baselines the service is compared with, both modes of `baseline-server.ts`:
 *
 * - `minimal` (the headline): only the DynamoDB work the API contract needs (GET balance: one
 *   BatchGetItem of session + balance; deposit: that BatchGetItem, then one TransactWriteItems).
 * - `same-calls`: the very DynamoDB calls the service made when it was written (session + user,
 *   then the balance; a deposit reads the balance again before its transaction).
 */
export const BASELINE_MODES = ['minimal', 'same-calls'] as const;
export type BaselineMode = (typeof BASELINE_MODES)[number];

export function isBaselineMode(value: string): value is BaselineMode {
  return (BASELINE_MODES as readonly string[]).includes(value);
}
