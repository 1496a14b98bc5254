import { IsString, validate } from 'class-validator';
import { MaxUtf8Bytes, utf8ByteLength } from './max-utf8-bytes.decorator';

class Sample {
  @IsString()
  @MaxUtf8Bytes(8)
  id!: string;
}

async function messages(id: unknown): Promise<string[]> {
  const sample = Object.assign(new Sample(), { id });
  const errors = await validate(sample);
  return errors.flatMap((e) => Object.values(e.constraints ?? {}));
}

describe('MaxUtf8Bytes', () => {
  it('counts bytes of UTF-8, not characters', () => {
    expect(utf8ByteLength('abc')).toBe(3);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('\u{1F600}')).toBe(4);
  });

  it('accepts a value of exactly the limit and rejects one byte more', async () => {
    expect(await messages('12345678')).toEqual([]);
    expect(await messages('1234567é')).toEqual(['id must be at most 8 bytes of UTF-8']);
  });

  it('rejects two emoji (four bytes each) plus one letter that a character count would pass', async () => {
    expect(await messages('\u{1F600}\u{1F600}a')).toEqual(['id must be at most 8 bytes of UTF-8']);
  });

  it('leaves the type check to IsString', async () => {
    expect(await messages(5)).toEqual(['id must be a string']);
  });
});
