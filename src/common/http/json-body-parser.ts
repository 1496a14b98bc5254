import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { AppError } from '../errors';
import { JsonNumberText } from './json-number-text';

/** Deepest accepted nesting of objects and arrays in a request body. */
export const MAX_JSON_DEPTH = 32;

export class JsonTooDeepError extends AppError {
  constructor() {
    super(
      400,
      'json_too_deep',
      `JSON nested deeper than ${MAX_JSON_DEPTH} levels is not accepted.`,
    );
  }
}

export class MalformedJsonError extends AppError {
  constructor() {
    super(400, 'bad_request', 'The request body is not valid JSON.');
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const isNumberChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x45 || c === 0x65;

interface Scanned {
  text: string;
  /** Sources of the numbers replaced by `"<marker><index>"` strings in `text`. */
  numbers: string[];
}

/**
 * One pass over the raw text outside strings: refuses nesting deeper than MAX_JSON_DEPTH before
 * anything recursive runs, and swaps each number whose source does not round-trip through `Number()`
 * for a marker string (unguessable per request) that the reviver turns into a JsonNumberText.
 */
function scan(raw: string, marker: string): Scanned {
  const numbers: string[] = [];
  let depth = 0;
  let out = '';
  let copied = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < raw.length; i++) {
        const d = raw.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) throw new JsonTooDeepError();
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < raw.length && isNumberChar(raw.charCodeAt(j))) j++;
      const source = raw.slice(i, j);
      if (JSON_NUMBER.test(source) && String(Number(source)) !== source) {
        out += `${raw.slice(copied, i)}"${marker}${numbers.length}"`;
        copied = j;
        numbers.push(source);
      }
      i = j - 1;
    }
  }
  return { text: numbers.length > 0 ? out + raw.slice(copied) : raw, numbers };
}

const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * Parses a JSON request body: an empty body is `{}`, nesting deeper than MAX_JSON_DEPTH is a 400
 * `json_too_deep`, `__proto__` / `constructor.prototype` keys are a 400 (as Fastify's own parser),
 * and numbers whose text would be rounded arrive as JsonNumberText.
 */
export function parseJsonBody(raw: string): unknown {
  if (raw.length === 0) return {};
  const marker = `#num:${randomBytes(12).toString('hex')}:`;
  const { text, numbers } = scan(raw, marker);
  const reviver =
    numbers.length === 0
      ? undefined
      : (_key: string, value: unknown) =>
          typeof value === 'string' && value.startsWith(marker)
            ? new JsonNumberText(numbers[Number(value.slice(marker.length))])
            : value;
  try {
    return secureJson.parse(text, reviver, PARSE_OPTIONS);
  } catch {
    throw new MalformedJsonError();
  }
}

/** Replaces Fastify's `application/json` parser with `parseJsonBody`. */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit },
    (_request, body, done) => {
      try {
        done(null, parseJsonBody(body as string));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );
}
