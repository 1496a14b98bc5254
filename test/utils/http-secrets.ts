import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { recordSecrets } from './run-audit';

/** JSON fields whose string values are credentials, in requests and responses alike. */
const SECRET_FIELD =
  /"(password|current_password|new_password|access_token|refresh_token|token)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
const MAX_BODY = 64 * 1024;

export function recordSecretFields(body: string): void {
  for (const match of body.matchAll(SECRET_FIELD)) {
    try {
      recordSecrets(JSON.parse(`"${match[2]}"`) as string);
    } catch {
      recordSecrets(match[2]);
    }
  }
}

function tapRequest(req: IncomingMessage, res: ServerResponse): void {
  const authorization = req.headers.authorization;
  if (authorization) recordSecrets(authorization.replace(/^\S+\s+/, ''));
  // Observe the body as the server reads it, without consuming it or changing its flow.
  const chunks: Buffer[] = [];
  let size = 0;
  const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
  req.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'data' && size < MAX_BODY) {
      const chunk = Buffer.from(args[0] as Buffer);
      chunks.push(chunk);
      size += chunk.length;
    } else if (event === 'end' && chunks.length > 0) {
      recordSecretFields(Buffer.concat(chunks).toString('utf8'));
    }
    return emit(event, ...args);
  }) as IncomingMessage['emit'];
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if ((typeof chunk === 'string' || Buffer.isBuffer(chunk)) && chunk.length < MAX_BODY)
      recordSecretFields(chunk.toString());
    return end(...args);
  }) as ServerResponse['end'];
}

/**
 * Records every credential that crosses a test app's HTTP server — passwords and refresh tokens in
 * request bodies, bearer tokens in Authorization headers, tokens in response bodies — whichever
 * client sent it (supertest, fetch), so the run's log audit checks all of them.
 */
export function recordHttpSecrets(server: Server): void {
  server.prependListener('request', tapRequest);
}
