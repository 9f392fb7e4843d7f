import { Option } from 'commander';
import { action, examples, group, leaf, dataTarget, type CommonFlags } from './common.js';

interface RotateFlags extends CommonFlags {
  alg?: 'RS256' | 'PS256' | 'ES256' | 'EdDSA';
  retire?: boolean;
  publishOnly?: boolean;
}

/** What a key in a drill state does, where that is not what it signs. */
const STATUS: Partial<Record<string, string>> = {
  next: 'in the JWKS, signs nothing until `dev-op jwks activate`',
  retired: 'not in the JWKS: tokens it signed no longer verify',
};

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags) }).run('jwks.list', {});
  if (flags.json) return out.printJson(result);
  await out.printTable(
    ['KID', 'ALG', 'CREATED', 'STATE', 'STATUS'],
    result.map((k) => [k.kid, k.alg, k.createdAt, k.state, STATUS[k.state] ?? (k.signs.length > 0 ? `signs ${k.signs.join('; ')}` : 'verify only')]),
    'No signing keys yet: dev-op jwks rotate (or dev-op start creates one)',
  );
}

async function rotate(flags: RotateFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result, via } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('jwks.rotate', {
    alg: flags.alg, retire: flags.retire === true, publishOnly: flags.publishOnly === true,
  });
  if (flags.json) return out.printJson(result);
  await out.printFields([['kid', result.key.kid], ['alg', result.key.alg], ['created', result.key.createdAt], ['state', result.key.state], ['retired', result.retired]]);
  if (flags.publishOnly) {
    await out.say(`new ${result.key.alg} key ${result.key.kid} is in the JWKS but signs nothing yet: \`dev-op jwks activate ${result.key.kid}\` makes it sign`);
    return;
  }
  const where = via === 'server' ? 'the running server signs with it from now on'
    : via === 'shared' ? 'every server on the store signs with it within a second' : 'it signs from the next start on';
  await out.say(`new ${result.key.alg} key ${result.key.kid}: ${where} (access tokens, and ID tokens of clients that ask for no other alg)`);
  for (const key of result.forClients) await out.say(`new ${key.alg} key ${key.kid}: ${key.signs.join('; ')}`);
  if (result.retired.length) await out.warn(`retired ${result.retired.length} older key(s): tokens they signed no longer verify`);
}

async function activate(kid: string, flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result, via } = await connect({ data: flags.data }).run('jwks.activate', { kid });
  if (flags.json) return out.printJson(result);
  if (!result.changed) return out.say(`key ${kid} already signs`);
  const when = via === 'server' ? 'from now on' : 'from the next start on';
  await out.say(`key ${kid} signs ${when} (${result.key.signs.join('; ')}); the key before it stays in the JWKS until \`dev-op jwks retire\``);
}

async function retire(kid: string, flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data }).run('jwks.retire', { kid });
  if (flags.json) return out.printJson(result);
  if (!result.changed) return out.say(`key ${kid} was already retired`);
  await out.warn(`key ${kid} retired: it is gone from the JWKS, and tokens it signed no longer verify`);
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
      .option('--publish-only', 'put the new key in the JWKS without signing with it, until `dev-op jwks activate KID`')
      .addHelpText('after', examples('dev-op jwks rotate --alg ES256', 'dev-op jwks rotate --retire', 'dev-op jwks rotate --publish-only'))
      .action(action(rotate)),
    leaf('activate', 'make a key (e.g. one published with rotate --publish-only) the one that signs')
      .argument('<kid>', 'the key id (dev-op jwks list)')
      .addHelpText('after', examples('dev-op jwks activate 3x4mpl3K1d'))
      .action(action(activate)),
    leaf('retire', 'take a key out of the JWKS: tokens it signed stop verifying (not the signing key)')
      .argument('<kid>', 'the key id (dev-op jwks list)')
      .addHelpText('after', examples('dev-op jwks retire 0ldK1d'))
      .action(action(retire)),
    leaf('export', 'print the public JWK Set (what /jwks serves)')
      .addHelpText('after', examples('dev-op jwks export > jwks.json'))
      .action(action(exportJwks)),
  ).addHelpText('after', examples(
    'dev-op jwks rotate --alg ES256', 'dev-op jwks export',
    'dev-op jwks rotate --publish-only && dev-op jwks activate NEW_KID && dev-op jwks retire OLD_KID',
  ));
}
