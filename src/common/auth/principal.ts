export type Role = 'customer' | 'admin' | 'service';

/** Who is calling, as established by the JWT guard from a verified access token. */
export interface Principal {
  /** `sub`: the user id, or the service name for service tokens. */
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  /** Session id (`sid`) of a user token; absent on service tokens. */
  readonly sessionId?: string;
}

/** Request augmentation written by the guards. */
export interface AuthenticatedRequest {
  /** The route's own first read, started by the JWT guard alongside the session check (own-data.ts). */
  ownData?: { readonly userId: string; readonly value: Promise<unknown> };
  user?: Principal;
  /** The `{user_id}` path parameter after `me` is resolved and ownership is checked. */
  targetUserId?: string;
}
