import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors';

export class UnsupportedContentEncodingError extends AppError {
  constructor() {
    super(
      415,
      'unsupported_content_encoding',
      'Request bodies must not be compressed or otherwise encoded (Content-Encoding: identity).',
    );
  }
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/** True for a missing header or one that lists only `identity` codings. */
export function isIdentityEncoding(header: string | undefined): boolean {
  if (header === undefined) return true;
  return header.split(',').every((coding) => coding.trim().toLowerCase() === 'identity');
}

/**
 * The service never decodes request bodies: a body with any Content-Encoding other than identity is a
 * 415 before it is read, instead of compressed bytes being parsed as if they were plain JSON.
 */
export function rejectEncodedBodies(fastify: FastifyInstance): void {
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (hasBody(request) && !isIdentityEncoding(request.headers['content-encoding'])) {
      done(new UnsupportedContentEncodingError());
      return;
    }
    done(null, payload);
  });
}
