/** The claims of a JWT, decoded without verifying it (for assertions on what the service issued). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function jwtClaims(token: string): Record<string, any> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}
