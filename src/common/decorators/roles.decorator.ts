import { SetMetadata } from '@nestjs/common';
import type { Role } from '../auth/principal';

export const ROLES = 'roles';

/** Restricts a route (or controller) to the given token roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);
