import { plainToInstance } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsString, validateSync } from 'class-validator';
import {
  JsonTooDeepError,
  MalformedJsonError,
  MAX_JSON_DEPTH,
  parseJsonBody,
} from './json-body-parser';
import { JsonNumberText } from './json-number-text';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('parseJsonBody', () => {
  it('parses plain JSON, numbers that round-trip stay numbers', () => {
    expect(parseJsonBody('{"a":[1,2.5,-3,0,"x"],"b":{"c":true,"d":null}}')).toEqual({
      a: [1, 2.5, -3, 0, 'x'],
      b: { c: true, d: null },
    });
  });

  it('treats an empty body as {}', () => {
    expect(parseJsonBody('')).toEqual({});
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => parseJsonBody(nested(MAX_JSON_DEPTH + 1))).toThrow(JsonTooDeepError);
    expect(() => parseJsonBody(nested(100_000))).toThrow(JsonTooDeepError);
  });

  it('does not count brackets inside strings, even after escaped quotes', () => {
    const text = JSON.stringify({ s: `\\"${'['.repeat(100)}` });
    expect(parseJsonBody(text)).toEqual(JSON.parse(text));
  });

  it.each(['1.50', '1e2', '1E+2', '-0', '1.999999999999999999', '12345678901234567890', '1e400'])(
    'delivers the number %s as JsonNumberText with its source',
    (source) => {
      const body = parseJsonBody(`{"n": ${source}, "list": [${source}]}`) as Record<
        string,
        unknown
      >;
      expect(body.n).toEqual(new JsonNumberText(source));
      expect(body.list).toEqual([new JsonNumberText(source)]);
    },
  );

  it('leaves numeric-looking text inside strings alone', () => {
    expect(parseJsonBody('{"1.50": "1e2"}')).toEqual({ '1.50': '1e2' });
  });

  it('a client cannot forge a JsonNumberText through a string', () => {
    expect(parseJsonBody('{"a": "#num:00:0", "b": 1.50}')).toEqual({
      a: '#num:00:0',
      b: new JsonNumberText('1.50'),
    });
  });

  it.each(['{"a": 1.2.3}', '{"a": 01}', '{"a": -}', '{"a": 1e}', '{"a":', '[1,]', '   '])(
    'rejects malformed JSON %s',
    (text) => {
      expect(() => parseJsonBody(text)).toThrow(MalformedJsonError);
    },
  );

  it.each([
    '{"__proto__": {"admin": true}}',
    '{"a": {"constructor": {"prototype": {"admin": true}}}}',
    '{"__proto__": {"n": 1.50}}',
  ])('rejects prototype poisoning %s', (text) => {
    expect(() => parseJsonBody(text)).toThrow(MalformedJsonError);
  });
});

class Dto {
  @IsInt() int!: number;
  @IsNumber() num!: number;
  @IsString() str!: string;
  @IsBoolean() bool!: boolean;
}

describe('JsonNumberText outside exact-decimal fields', () => {
  it('fails every ordinary type validator (a 422, never a rounded value)', () => {
    const text = new JsonNumberText('1.999999999999999999');
    const dto = plainToInstance(Dto, { int: text, num: text, str: text, bool: text });
    const failed = validateSync(dto).map((e) => e.property);
    expect(failed.sort()).toEqual(['bool', 'int', 'num', 'str']);
  });
});
