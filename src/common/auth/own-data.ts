import { createParamDecorator, ExecutionContext, SetMetadata, type Type } from '@nestjs/common';
import type { AuthenticatedRequest } from './principal';

/**
 * A route's first read of the caller's own data (e.g. the balance). A route marked
 * `@ReadsOwnData(Reader)` has the JWT guard start `read(userId)` together with the session check, so
 * both go out in one DynamoDB call and one round trip instead of two in a row. The read has no
 * effect; its result reaches the handler through `@OwnData()` only after every guard has passed
 * (session valid, ownership checked), and is dropped otherwise.
 */
export abstract class OwnDataReader<T = unknown> {
  abstract read(userId: string): Promise<T>;
}

export const OWN_DATA_READER = 'ownDataReader';

export const ReadsOwnData = (reader: Type<OwnDataReader>) => SetMetadata(OWN_DATA_READER, reader);

/** The read the guard started, for the user it was started for. */
export interface OwnDataRead {
  readonly userId: string;
  readonly value: Promise<unknown>;
}

/**
 * The guard's read for the user this request acts on, or `undefined` (not started: a service token,
 * another user's id in the path): the handler then reads as usual.
 */
export const OwnData = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Promise<unknown> | undefined => {
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const read = request.ownData;
    const target = request.targetUserId ?? request.user?.userId;
    return read && target !== undefined && read.userId === target ? read.value : undefined;
  },
);
