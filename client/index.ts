import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

export type { components, operations, paths };
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type UserServiceClient = Client<paths>;

export interface UserServiceClientOptions {
  /** Bearer access token, or a function read before each request (a token that changes). */
  token?: string | (() => string | undefined);
  /** Default headers for every request. */
  headers?: ClientOptions['headers'];
  /** Another fetch implementation (tests, instrumentation). */
  fetch?: ClientOptions['fetch'];
}

/**
 * A typed client of the User Service (openapi-fetch over the generated client/schema.d.ts): paths,
 * parameters, bodies, responses and problem+json errors are checked at compile time.
 *
 *   const api = createUserServiceClient('http://localhost:8001', { token });
 *   const { data, error } = await api.GET('/users/{user_id}/balance', {
 *     params: { path: { user_id: 'me' } },
 *   });
 */
export function createUserServiceClient(
  baseUrl: string,
  { token, ...options }: UserServiceClientOptions = {},
): UserServiceClient {
  const client = createClient<paths>({ baseUrl, ...options });
  if (token !== undefined) {
    client.use({
      onRequest({ request }) {
        const value = typeof token === 'function' ? token() : token;
        if (value && !request.headers.has('Authorization'))
          request.headers.set('Authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}
