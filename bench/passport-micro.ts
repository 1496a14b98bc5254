/**
 * The access-token check's own CPU cost, before and after passport (issue 9, part 5): the direct
 * `TokenService.verifyAccessToken` against the passport-jwt strategy, on one process, with the session
 * check replaced by an immediate answer (its DynamoDB read is the same either way).
 * Run: node -r ts-node/register/transpile-only bench/passport-micro.ts
 */
import 'reflect-metadata';
import { JwtStrategy } from '../src/auth/tokens/jwt.strategy';
import { TokenService } from '../src/auth/tokens/token.service';
import { loadConfig } from '../src/config';

const N = 50_000;
const config = loadConfig({
  NODE_ENV: 'test',
  DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
  JWT_SECRET_KEY: 'micro-bench-secret-0123456789abcdef0123',
  BCRYPT_COST: '4',
});
const tokens = new TokenService(config);
const token = tokens.issueAccessToken({
  userId: '7d3f1c9a-6b3e-4f4e-9a51-0c8d1e2f3a4b',
  username: 'bench_user',
  role: 'customer',
  sessionId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
}).token;
const strategy = new JwtStrategy(tokens.verification, async (claims) => ({
  userId: claims.sub,
  username: claims.username,
  role: 'customer' as const,
}));

async function direct(): Promise<void> {
  for (let i = 0; i < N; i++) {
    const claims = tokens.verifyAccessToken(token);
    await Promise.resolve({ userId: claims.sub });
  }
}

async function viaPassport(): Promise<void> {
  for (let i = 0; i < N; i++) await strategy.verifyToken(token);
}

async function main(): Promise<void> {
  for (let round = 0; round < 3; round++) {
    for (const [name, run] of [
      ['direct (before)', direct],
      ['passport (after)', viaPassport],
    ] as const) {
      const cpu0 = process.cpuUsage();
      await run();
      const cpu = process.cpuUsage(cpu0);
      console.log(
        `round ${round} ${name}: ${((cpu.user + cpu.system) / N).toFixed(2)} µs CPU/call`,
      );
    }
  }
}

void main();
