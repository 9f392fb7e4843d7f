import type { ResourceServer } from '../store/types.js';
import { action, collect, examples, group, leaf, type CommonFlags } from './common.js';

interface ResourceFlags extends CommonFlags {
  scope?: string[];
  tokenFormat?: 'jwt' | 'opaque';
  ttl?: string;
  audience?: string;
}

async function printResource(server: ResourceServer): Promise<void> {
  const { printFields } = await import('./output.js');
  await printFields([
    ['resource', server.resource],
    ['scope', server.scope],
    ['audience', server.audience ?? `${server.resource} (the resource)`],
    ['token format', server.accessTokenFormat ?? '(the client\'s)'],
    ['token lifetime', server.accessTokenTTL === undefined ? '(the client\'s or server\'s)' : `${server.accessTokenTTL}s`],
  ]);
}

const inputOf = (resource: string, flags: ResourceFlags) => ({
  resource, scope: flags.scope, tokenFormat: flags.tokenFormat, ttl: flags.ttl, audience: flags.audience,
});

async function add(resource: string, flags: ResourceFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data, onSeed: out.reportSeed }).run('resource.add', inputOf(resource, flags));
  if (flags.json) return out.printJson(result);
  if (result.unchanged) return out.say(`resource ${result.resource} unchanged (it exists with these options already)`);
  await printResource(result);
  await out.say(`resource ${result.resource} added: ask for it with resource=${result.resource}`);
}

async function update(resource: string, flags: ResourceFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data, onSeed: out.reportSeed }).run('resource.update', inputOf(resource, flags));
  if (flags.json) return out.printJson(result);
  await printResource(result);
  await out.say(`resource ${result.resource} updated`);
}

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data }).run('resource.list', {});
  if (flags.json) return out.printJson(result);
  await out.printTable(
    ['RESOURCE', 'SCOPE', 'AUDIENCE', 'FORMAT', 'TTL'],
    result.map((r) => [r.resource, r.scope, r.audience, r.accessTokenFormat, r.accessTokenTTL === undefined ? undefined : `${r.accessTokenTTL}s`]),
    'No resource servers: any absolute URI is accepted as resource. Declare one: dev-op resource add http://localhost:3006/api --scope api:read',
  );
}

async function show(resource: string, flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data }).run('resource.show', { resource });
  if (flags.json) return out.printJson(result);
  await printResource(result);
}

async function remove(resource: string, flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data }).run('resource.remove', { resource });
  if (flags.json) return out.printJson(result);
  await out.say(`resource ${result.removed} removed`);
}

/** `dev-op resource`: resource servers (APIs), RFC 8707. */
export function resourceCommand() {
  const settings = <T extends ReturnType<typeof leaf>>(command: T, scopeHelp: string): T => command
    .option('--scope <scope>', scopeHelp, collect)
    .option('--token-format <format>', 'access tokens for it: jwt (RFC 9068) or opaque (default: the client\'s)')
    .option('--ttl <lifetime>', 'access token lifetime, e.g. 300, 15m, 1h (default: the client\'s or server\'s)')
    .option('--audience <aud>', 'the access tokens\' aud (default: the resource URL)') as T;
  return group('resource', 'manage resource servers (APIs): RFC 8707 resource indicators',
    settings(leaf('add', 'declare a resource server: its scopes are granted only for it, its tokens carry aud = it')
      .argument('<url>', 'the resource indicator (absolute URI, no fragment)'), 'a scope this API grants (repeatable; required)')
      .addHelpText('after', examples(
        'dev-op resource add http://localhost:3006/pi --scope api:read --scope api:write',
        'dev-op resource add https://api.example.test --scope orders:read --token-format opaque --ttl 15m --audience orders-api',
      ))
      .action(action(add)),
    settings(leaf('update', 'change a resource server (tokens already issued stay as they are)')
      .argument('<url>', 'the resource indicator'), 'the scopes it grants, replacing the current ones (repeatable)')
      .addHelpText('after', examples('dev-op resource update http://localhost:3006/pi --ttl 5m'))
      .action(action(update)),
    leaf('list', 'list resource servers')
      .addHelpText('after', examples('dev-op resource list', 'dev-op resource list --json'))
      .action(action(list)),
    leaf('show', 'show one resource server')
      .argument('<url>', 'the resource indicator')
      .action(action(show)),
    leaf('remove', 'remove a resource server')
      .argument('<url>', 'the resource indicator')
      .action(action(remove)),
  ).addHelpText('after', examples('dev-op resource add http://localhost:3006/pi --scope api:read', 'dev-op token get --client app --resource http://localhost:3006/pi'));
}
