import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvFileInto } from './env-file';
import { ConfigError } from './load-config';

describe('readEnvFileInto (.env support)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  const file = join(dir, '.env');
  writeFileSync(file, '# comment\nPORT=9001\nLOG_LEVEL="debug"\nEMPTY=\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fills in variables the environment does not set, and never overrides one that is set', () => {
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, PORT: '8080' };
    readEnvFileInto(env);
    expect(env).toEqual({ ENV_FILE: file, PORT: '8080', LOG_LEVEL: 'debug', EMPTY: '' });
  });

  it('keeps a variable set to the empty string in the environment', () => {
    const env: NodeJS.ProcessEnv = { ENV_FILE: file, PORT: '' };
    readEnvFileInto(env);
    expect(env.PORT).toBe('');
  });

  it('reads nothing with ENV_FILE=none, or under NODE_ENV=test unless ENV_FILE names a file', () => {
    const none: NodeJS.ProcessEnv = { ENV_FILE: 'none' };
    readEnvFileInto(none);
    expect(none).toEqual({ ENV_FILE: 'none' });
    const test: NodeJS.ProcessEnv = { NODE_ENV: 'test' };
    readEnvFileInto(test);
    expect(test).toEqual({ NODE_ENV: 'test' });
  });

  it('names ENV_FILE when the file it names does not exist', () => {
    expect(() => readEnvFileInto({ ENV_FILE: join(dir, 'missing.env') })).toThrow(ConfigError);
    expect(() => readEnvFileInto({ ENV_FILE: join(dir, 'missing.env') })).toThrow(/ENV_FILE/);
  });
});
