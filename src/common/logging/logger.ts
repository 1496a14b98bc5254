import pino from 'pino';

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

/**
 * JSON-lines logger (pino) with secrets redacted; `destination` lets tests capture output, `mixin` adds
 * fields to every line (the trace id when tracing is on). Without a destination it writes to stdout
 * asynchronously (pino flushes what is pending when the process exits): a request never waits on a
 * synchronous write of its access-log line.
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
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'message',
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
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
