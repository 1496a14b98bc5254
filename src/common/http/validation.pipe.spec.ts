import { IsInt, IsOptional, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { ValidationFailedError } from '../errors';
import { createValidationPipe } from './validation.pipe';

class Inner {
  @IsString()
  note!: string;
}

class Sample {
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @IsString()
  @Matches(/^[a-z]*$/, { message: 'text must be lower-case letters' })
  text?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;
}

const pipe = createValidationPipe();

async function errorsFor(value: unknown, type: 'body' | 'query' | 'param' = 'body', data?: string) {
  try {
    await pipe.transform(value, { type, metatype: type === 'param' ? String : Sample, data });
    return [];
  } catch (err) {
    if (!(err instanceof ValidationFailedError)) throw err;
    return err.errors ?? [];
  }
}

describe('global validation pipe', () => {
  it('names every string holding an unpaired surrogate, nested and in keys, before validating', async () => {
    const errors = await errorsFor({ text: 'a\ud800', inner: { note: '\udc00x' }, ['k\ud800']: 1 });
    expect(errors.map((e) => e.field).sort()).toEqual(['inner.note', 'k\ud800', 'text']);
    expect(errors[0]?.message).toMatch(/must not contain unpaired UTF-16 surrogates$/);
  });

  it('checks path parameters under their own name', async () => {
    expect(await errorsFor('x\ud800', 'param', 'session_id')).toEqual([
      { field: 'session_id', message: 'session_id must not contain unpaired UTF-16 surrogates' },
    ]);
  });

  it('accepts paired surrogates', async () => {
    expect(await errorsFor({ text: undefined, inner: { note: '\u{1F600}' } })).toEqual([]);
  });

  it.each([
    [{ limit: 'abc' }, 'limit must be an integer number'],
    [{ limit: 1.5 }, 'limit must be an integer number'],
    [{ limit: -1 }, 'limit must not be less than 1'],
    [{ limit: 101 }, 'limit must not be greater than 100'],
    [{ text: 123 }, 'text must be a string'],
    [{ text: 'ABC' }, 'text must be lower-case letters'],
  ])('gives one message, the first declared constraint that fails: %j', async (body, message) => {
    const errors = await errorsFor(body);
    expect(errors).toEqual([{ field: Object.keys(body)[0], message }]);
  });
});
