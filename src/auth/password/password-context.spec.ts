import { passwordContextProblem } from './password-context';

const context = { username: 'jane_doe', email: 'zebracorn+shop@example.com' };

describe('passwordContextProblem', () => {
  it('rejects a password containing the username, whatever the case', () => {
    expect(passwordContextProblem('my JANE_DOE secret', context)).toBe(
      'must not contain the username',
    );
  });

  it('rejects a password containing the e-mail local part or its part before +', () => {
    const message = 'must not contain the part of the e-mail address before the @';
    expect(passwordContextProblem('ZebraCorn+Shop rocks', context)).toBe(message);
    expect(passwordContextProblem('i love zebracorns!', context)).toBe(message);
  });

  it('compares lower-cased: a dotless ı is not an i (it upper-cases to I)', () => {
    expect(passwordContextProblem('xx jım_bo yy zz', { username: 'jim_bo' })).toBeNull();
    expect(passwordContextProblem('xx JIM_BO yy zz', { username: 'jim_bo' })).toBe(
      'must not contain the username',
    );
  });

  it('ignores local parts shorter than four characters', () => {
    expect(passwordContextProblem('january is cold here', { email: 'jan@example.com' })).toBeNull();
  });

  it('rejects a new password equal to the current one (after NFKC), not a case variant', () => {
    const current = 'correct horse battery';
    expect(passwordContextProblem(current, { currentPassword: current })).toBe(
      'must differ from the current password',
    );
    expect(passwordContextProblem('ｃorrect horse battery', { currentPassword: current })).toBe(
      'must differ from the current password',
    );
    expect(
      passwordContextProblem('Correct horse battery', { currentPassword: current }),
    ).toBeNull();
  });

  it('accepts an unrelated password', () => {
    expect(passwordContextProblem('purple monkey dishwasher', context)).toBeNull();
  });
});
