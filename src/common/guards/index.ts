export * from './access-token-authenticator';
export * from './jwt-auth.guard';
export * from './ownership.guard';
export * from './roles.guard';
