import { parseArgs } from './reconcile.cli';

describe('reconcile CLI arguments', () => {
  it('reads --user ID and --user=ID, or nothing for all users', () => {
    expect(parseArgs([])).toEqual({ userId: undefined });
    expect(parseArgs(['--user', 'u-1'])).toEqual({ userId: 'u-1' });
    expect(parseArgs(['--user=u-2'])).toEqual({ userId: 'u-2' });
  });

  it('rejects unknown arguments and a missing id', () => {
    expect(() => parseArgs(['--all'])).toThrow(/Unknown argument/);
    expect(() => parseArgs(['--user'])).toThrow(/needs a user id/);
    expect(() => parseArgs(['--user='])).toThrow(/needs a user id/);
  });
});
