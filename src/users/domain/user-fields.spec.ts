import { dateOfBirthProblem, nameProblem, normalizePhone } from './user-fields';

describe('user field rules', () => {
  it('accepts names of letters, spaces, apostrophes and hyphens, in any script', () => {
    for (const ok of ['Jane', "O'Brien", 'Mary-Jane', 'José María', 'Łukasz', '李'])
      expect(nameProblem(ok)).toBeNull();
  });

  it('rejects empty, too long, digits, HTML and punctuation-only names', () => {
    const shape = "must be 1-50 characters: letters, spaces, apostrophes (') and hyphens (-)";
    expect(nameProblem('')).toBe(shape);
    expect(nameProblem('a'.repeat(51))).toBe(shape);
    expect(nameProblem('J4ne')).toBe(shape);
    expect(nameProblem('<b>Jane</b>')).toBe('must not contain HTML');
    expect(nameProblem("-'-")).toBe(shape);
  });

  it('normalizes phones to their digits (keeping a leading +) and checks 10-15 digits', () => {
    expect(normalizePhone('+1 (555) 010-9999')).toBe('+15550109999');
    expect(normalizePhone('555.010.9999')).toBe('5550109999');
    expect(normalizePhone('123456789')).toBeNull();
    expect(normalizePhone('1234567890123456')).toBeNull();
    expect(normalizePhone('555-CALL-NOW1')).toBeNull();
    expect(normalizePhone('  +1 555 010 9999  ')).toBe('+15550109999'); // trimmed first
    expect(normalizePhone('555x010x9999')).toBeNull(); // 10 digits, but a letter between them
    expect(normalizePhone('123456789012345')).toBe('123456789012345'); // 15 digits
  });

  it('checks dates of birth: format, real date, age 13 to 120', () => {
    const today = new Date('2024-06-15T12:00:00Z');
    expect(dateOfBirthProblem('1990-04-01', today)).toBeNull();
    expect(dateOfBirthProblem('2011-06-15', today)).toBeNull(); // exactly 13 today
    expect(dateOfBirthProblem('2011-06-16', today)).toMatch(/at least 13/);
    expect(dateOfBirthProblem('2011-07-01', today)).toMatch(/at least 13/); // a later month
    expect(dateOfBirthProblem('2011-05-20', today)).toBeNull(); // an earlier month, a later day
    expect(dateOfBirthProblem('1903-06-16', today)).toBeNull(); // 120, turning 121 tomorrow
    expect(dateOfBirthProblem('1903-06-15', today)).toMatch(/at most 120/);
    expect(dateOfBirthProblem('1990-02-30', today)).toMatch(/real calendar date/);
    expect(dateOfBirthProblem('01/04/1990', today)).toMatch(/YYYY-MM-DD/);
  });
});
