import { action, examples, group, leaf, type CommonFlags } from './common.js';

interface AddFlags extends CommonFlags {
  issuer?: string;
  jwks?: string;
}

/** `--jwks` is a URL (kept: the server fetches it) or a JWK Set file (read now, its keys stored). */
async function jwksInput(value: string | undefined): Promise<{ jwks?: unknown; jwksUri?: string }> {
  if (value === undefined) return {};
  if (/^https?:\/\//i.test(value)) return { jwksUri: value };
  const [{ readFile }, { UsageError }] = await Promise.all([import('node:fs/promises'), import('../errors/app-errors.js')]);
  const text = await readFile(value, 'utf8').catch(() => {
    throw new UsageError(`--jwks ${value}: no such file (give the path of a JWK Set file, or its http(s) URL)`);
  });
  try {
    return { jwks: JSON.parse(text) as unknown };
  } catch {
    throw new UsageError(`--jwks ${value} is not valid JSON`);
  }
}

async function add(flags: AddFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  if (flags.issuer === undefined) {
    const { UsageError } = await import('../errors/app-errors.js');
    throw new UsageError('missing --issuer (the iss of the JWTs to accept)');
  }
  const { result } = await connect({ data: flags.data }).run('trust.add', { issuer: flags.issuer, ...(await jwksInput(flags.jwks)) });
  if (flags.json) return out.printJson(result);
  if (result.unchanged) return out.say(`issuer ${result.issuer} unchanged (it is trusted with these keys already)`);
  const keys = result.jwks_uri ?? `${result.jwks?.keys.length ?? 0} key(s)`;
  await out.say(`issuer ${result.issuer} trusted (keys: ${keys})`);
}

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data }).run('trust.list', {});
  if (flags.json) return out.printJson(result);
  await out.printTable(
    ['ISSUER', 'KEYS'],
    result.map((t) => [t.issuer, t.jwks_uri ?? (t.jwks?.keys.map((k) => k.kid ?? k.kty).join(', ') ?? '')]),
    'No trusted issuers yet: dev-op trust add --issuer https://idp.example.com --jwks jwks.json',
  );
}

async function remove(issuer: string, flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data }).run('trust.remove', { issuer });
  if (flags.json) return out.printJson(result);
  await out.say(`issuer ${result.removed} no longer trusted`);
}

export function trustCommand() {
  return group('trust', 'issuers whose signed JWTs the JWT bearer and token exchange grants accept',
    leaf('add', 'trust an issuer\'s JWTs (RFC 7523 assertions, RFC 8693 subject tokens)')
      .option('--issuer <url>', 'the iss its JWTs carry, exactly')
      .option('--jwks <file|url>', 'its public JWK Set: a file (read now) or a URL (fetched when needed, cached briefly)')
      .addHelpText('after', examples(
        'dev-op trust add --issuer https://idp.example.com --jwks https://idp.example.com/.well-known/jwks.json',
        'dev-op trust add --issuer https://partner.example.com --jwks partner-jwks.json',
      ))
      .action(action(add)),
    leaf('list', 'list trusted issuers')
      .addHelpText('after', examples('dev-op trust list', 'dev-op trust list --json'))
      .action(action(list)),
    leaf('remove', 'stop trusting an issuer')
      .argument('<url>', 'the issuer')
      .addHelpText('after', examples('dev-op trust remove https://partner.example.com'))
      .action(action(remove)),
  );
}
