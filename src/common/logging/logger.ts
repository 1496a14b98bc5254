import pino from 'pino';
import { isoNow } from '../clock/iso-now';

export type Logger = pino.Logger;
export const LOGGER = Symbol('LOGGER');

/** Fields that are never logged, at the top of a log object or inside a body up to two levels down. */
export const SECRET_FIELDS = [
  'authorization',
  'password',
  'current_password',
  'new_password',
  'access_token',
  'refresh_token',
  'token',
];

/** Never logged, wherever they appear in a log object (`req.body.password` as well as `password`). */
export const REDACTED_PATHS = [
  'req.headers.cookie',
  'headers.cookie',
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** Lines are written to stdout in chunks of this size, or after at most STDOUT_FLUSH_MS. */
const STDOUT_CHUNK_BYTES = 4096;
const STDOUT_FLUSH_MS = 200;

/**
 * Standard output written asynchronously in chunks: one write per ~4 KB of lines instead of one per
 * line (at a few thousand requests per second, a write per access-log line was the largest single
 * CPU cost after the network). Lines wait at most 200 ms; pino flushes what is pending when the
 * process exits (a SIGKILL loses at most one chunk).
 */
function chunkedStdout(): pino.DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: STDOUT_CHUNK_BYTES });
  setInterval(() => stream.flush(), STDOUT_FLUSH_MS).unref();
  return stream;
}

/**
 * JSON-lines logger (pino) with secrets redacted; `destination` lets tests capture output, `mixin` adds
 * fields to every line (the trace id when tracing is on). Without a destination: chunked stdout.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  mixin?: () => Record<string, unknown>,
): Logger {
  return pino(
    {
      level,
      ...(mixin ? { mixin } : {}),
      base: { service: 'user-service' },
      // pino's isoTime, with the ISO string computed once per millisecond.
      timestamp: () => `,"time":"${isoNow()}"`,
      messageKey: 'message',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination ?? chunkedStdout(),
  );
}

/**
 * A plain (non-JSON) line on the logger's own stream, so it lands after the JSON lines written before
 * it (pino writes asynchronously; console.log would overtake them).
 */
export function writePlainLine(logger: Logger, line: string): void {
  const stream = (logger as unknown as Record<symbol, { write(s: string): void } | undefined>)[
    pino.symbols.streamSym
  ];
  if (stream) stream.write(`${line}\n`);
  else console.log(line);
}

/**
 * A child for lines whose every field the code chooses and none can hold a secret (the access log):
 * it skips the redaction walk, the largest cost of a line. Everything else goes through the
 * redacting logger.
 */
export function unredactedChild(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}
