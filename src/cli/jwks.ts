import { Option } from 'commander';
import { action, examples, group, leaf, dataTarget, type CommonFlags } from './common.js';

interface RotateFlags extends CommonFlags {
  alg?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
  retire?: boolean;
}

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags) }).run('jwks.list', {});
  if (flags.json) return out.printJson(result);
  await out.printTable(
    ['KID', 'ALG', 'CREATED', 'STATUS'],
    result.map((k) => [k.kid, k.alg, k.createdAt, k.signs.length > 0 ? `signs ${k.signs.join('; ')}` : 'verify only']),
    'No signing keys yet: dev-op jwks rotate (or dev-op start creates one)',
  );
}

async function rotate(flags: RotateFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result, via } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('jwks.rotate', { alg: flags.alg, retire: flags.retire === true });
  if (flags.json) return out.printJson(result);
  await out.printFields([['kid', result.key.kid], ['alg', result.key.alg], ['created', result.key.createdAt], ['retired', result.retired]]);
  const where = via === 'server' ? 'the running server signs with it from now on'
    : via === 'shared' ? 'every server on the store signs with it within a second' : 'it signs from the next start on';
  await out.say(`new ${result.key.alg} key ${result.key.kid}: ${where} (access tokens, and ID tokens of clients that ask for no other alg)`);
  for (const key of result.forClients) await out.say(`new ${key.alg} key ${key.kid}: ${key.signs.join('; ')}`);
  if (result.retired.length) await out.warn(`retired ${result.retired.length} older key(s): tokens they signed no longer verify`);
}

async function exportJwks(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags) }).run('jwks.export', {});
  // The JWK Set is JSON whatever the flags say.
  out.printJson(result);
}

export function jwksCommand() {
  return group('jwks', 'manage the signing keys (JWKS)',
    leaf('list', 'list signing keys and what each signs (older ones only verify)')
      .addHelpText('after', examples('dev-op jwks list'))
      .action(action(list)),
    leaf('rotate', 'add a new signing key; older keys stay in the JWKS until --retire')
      .addOption(new Option('--alg <alg>', 'algorithm of the new key (default: that of the current key)').choices(['RS256', 'PS256', 'ES256', 'EdDSA']))
      .option('--retire', 'remove every older key: tokens they signed stop verifying')
      .addHelpText('after', examples('dev-op jwks rotate --alg ES256', 'dev-op jwks rotate --retire'))
      .action(action(rotate)),
    leaf('export', 'print the public JWK Set (what /jwks serves)')
      .addHelpText('after', examples('dev-op jwks export > jwks.json'))
      .action(action(exportJwks)),
  ).addHelpText('after', examples('dev-op jwks rotate --alg ES256', 'dev-op jwks export'));
}
