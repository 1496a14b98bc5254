import { TokenService } from '../auth/tokens/token.service';
import { loadConfigFromEnvironment } from '../config';
import { parseArgs, runCli, UsageError } from './cli-args';

const USAGE = 'npm run token:service -- --name NAME [--days N]   (default 30 days)';

/**
 * `npm run token:service`: prints a service JWT (role `service`, no session) as the last line of
 * stdout, signed with the same JWT_SECRET_KEY/JWT_ALGORITHM the service verifies with.
 */
runCli(USAGE, async () => {
  const args = parseArgs(process.argv.slice(2), ['name', 'days']);
  if (!args.name) throw new UsageError('--name is required.');
  const days = args.days === undefined ? 30 : Number(args.days);
  const config = loadConfigFromEnvironment();
  let token: string;
  try {
    token = new TokenService(config).issueServiceToken(args.name, days);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  console.log(`Service token for "${args.name}", valid ${days} day(s), role "service":`);
  console.log(token);
});
