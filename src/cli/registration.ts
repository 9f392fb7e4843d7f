import { action, examples, group, leaf, type CommonFlags } from './common.js';

interface TokenFlags extends CommonFlags {
  ttl?: string;
}

/** RFC 7591 3: an initial access token for the registration endpoint, alone on stdout. */
async function token(flags: TokenFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result, via } = await connect({ data: flags.data, onSeed: out.reportSeed }).run('registration.token', { ttl: flags.ttl });
  if (flags.json) return out.printJson(result);
  // The token alone on stdout, so that $(dev-op registration token) is the token.
  process.stdout.write(`${result.token}\n`);
  if (process.stderr.isTTY) {
    const where = via === 'server' ? 'the running server accepts it now' : 'the server on this data accepts it';
    await out.say(`initial access token for POST /reg, valid until ${new Date(result.expires_at * 1000).toISOString()} (${where})`);
  }
}

export function registrationCommand() {
  return group('registration', 'dynamic client registration (RFC 7591) at /reg',
    leaf('token', 'mint an initial access token for /reg (required with --registration-token-required)')
      .option('--ttl <duration>', 'how long it is accepted, e.g. 30m, 1h, 2d (default 1d)')
      .addHelpText('after', examples(
        'dev-op registration token --ttl 1h',
        'curl -H "Authorization: Bearer $(dev-op registration token)" -H "Content-Type: application/json" \\\n      -d \'{"redirect_uris":["http://localhost:3000/cb"]}\' http://localhost:4000/reg',
      ))
      .action(action(token)),
  ).addHelpText('after', examples('dev-op registration token --ttl 1h --json'));
}
