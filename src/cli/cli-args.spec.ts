import { parseArgs, UsageError } from './cli-args';

describe('parseArgs', () => {
  it('reads --name value and --name=value', () => {
    expect(parseArgs(['--name', 'order-service', '--days=30'], ['name', 'days'])).toEqual({
      name: 'order-service',
      days: '30',
    });
  });

  it('refuses unknown options, stray words and missing values', () => {
    expect(() => parseArgs(['--nope', 'x'], ['name'])).toThrow(UsageError);
    expect(() => parseArgs(['stray'], ['name'])).toThrow(UsageError);
    expect(() => parseArgs(['--name'], ['name'])).toThrow(UsageError);
    expect(() => parseArgs(['--name', '--days', '3'], ['name', 'days'])).toThrow(UsageError);
  });
});
