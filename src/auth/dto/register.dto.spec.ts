import type { ArgumentMetadata } from '@nestjs/common';
import { ValidationFailedError } from '../../common/errors';
import { createValidationPipe } from '../../common/http/validation.pipe';
import { UpdateProfileDto } from '../../users/dto/update-profile.dto';
import { RegisterDto } from './register.dto';

const pipe = createValidationPipe();
const valid = {
  username: 'Jane_Doe',
  email: ' Jane@Example.COM ',
  password: 'a perfectly fine passphrase',
  first_name: '  Jane ',
  last_name: "O'Brien-Smith",
};

async function errorsFor(metatype: ArgumentMetadata['metatype'], body: unknown) {
  try {
    await pipe.transform(body, { type: 'body', metatype });
    return [];
  } catch (err) {
    if (!(err instanceof ValidationFailedError)) throw err;
    return err.errors ?? [];
  }
}

describe('RegisterDto', () => {
  it('accepts a valid body, lower-casing username and e-mail and trimming names', async () => {
    const dto = (await pipe.transform(valid, {
      type: 'body',
      metatype: RegisterDto,
    })) as RegisterDto;
    expect(dto).toMatchObject({
      username: 'jane_doe',
      email: 'jane@example.com',
      first_name: 'Jane',
    });
  });

  it.each([
    ['username', 'abc'],
    ['username', 'a'.repeat(31)],
    ['username', 'bad-name!'],
    ['username', 12345678],
    ['email', 'not-an-email'],
    ['email', `${'a'.repeat(250)}@example.com`],
    ['password', 'short pass'],
    ['password', 'x'.repeat(129)],
    ['password', 'qwerty123456'],
    ['first_name', ''],
    ['first_name', '<script>x</script>'],
    ['last_name', 'D0e'],
    ['phone', '12345'],
    ['date_of_birth', '1990-13-01'],
    ['marketing_emails_consent', 'yes'],
    ['role', 'admin'],
  ])('rejects %s = %j, naming the field', async (field, value) => {
    const errors = await errorsFor(RegisterDto, { ...valid, [field]: value });
    expect(errors.map((e) => e.field)).toEqual([field]);
  });

  it('requires every mandatory field', async () => {
    for (const field of ['username', 'email', 'password', 'first_name', 'last_name']) {
      const body: Record<string, unknown> = { ...valid };
      delete body[field];
      expect((await errorsFor(RegisterDto, body)).map((e) => e.field)).toContain(field);
    }
  });
});

describe('UpdateProfileDto', () => {
  it('allows null for optional fields and rejects it for required ones', async () => {
    expect(await errorsFor(UpdateProfileDto, { phone: null, date_of_birth: null })).toEqual([]);
    expect((await errorsFor(UpdateProfileDto, { first_name: null })).map((e) => e.field)).toEqual([
      'first_name',
    ]);
    expect((await errorsFor(UpdateProfileDto, { email: null })).map((e) => e.field)).toEqual([
      'email',
    ]);
  });

  it.each(['role', 'username', 'password', 'current_balance', 'user_id'])(
    'rejects %s in the body',
    async (field) => {
      expect((await errorsFor(UpdateProfileDto, { [field]: 'x' })).map((e) => e.field)).toEqual([
        field,
      ]);
    },
  );
});
