import type { Api } from './ledger-http';
import type { TestApp } from './test-app';
import { createCustomer, Customer } from './users';

interface Who {
  userId: string;
}

/**
 * The order-integration routes as the order service calls them (its service token by default),
 * plus the reads the order tests check after each step.
 */
export function orderRoutes(t: TestApp, api: Api, service: string) {
  return {
    /** A customer with `amount` deposited. */
    async funded(amount: string): Promise<Customer> {
      const c = await createCustomer(t.http);
      const res = await api.post(`/users/${c.userId}/balance/deposit`, c.accessToken, { amount });
      if (res.status !== 201) throw new Error(`deposit failed: ${res.status} ${res.text}`);
      return c;
    },
    hold: (c: Who, body: unknown, token = service) =>
      api.post(`/internal/users/${c.userId}/balance/holds`, token, body),
    complete: (c: Who, txId: string, body: unknown = {}, token = service) =>
      api.post(`/internal/users/${c.userId}/transactions/${txId}/complete`, token, body),
    cancel: (c: Who, txId: string, token = service) =>
      api.post(`/internal/users/${c.userId}/transactions/${txId}/cancel`, token, {}),
    sell: (c: Who, body: unknown, token = service) =>
      api.post(`/internal/users/${c.userId}/trades/sell`, token, body),
    balanceOf: async (c: Who) => (await api.get(`/users/${c.userId}/balance`, service)).body,
  };
}
