import type { UserView } from '../admin/users.js';
import { Option } from 'commander';
import { PRESET_NAMES } from '../protocol/presets.js';
import { action, collect, examples, group, leaf, dataTarget, type CommonFlags } from './common.js';

interface AddFlags extends CommonFlags {
  password?: string;
  email?: string;
  name?: string;
  sub?: string;
  claim?: string[];
  preset?: string;
}

async function printUser(user: UserView): Promise<void> {
  const { printFields } = await import('./output.js');
  await printFields([
    ['username', user.username],
    ['sub', user.sub],
    ['password', user.has_password ? '(set)' : '(none: one click)'],
    ...Object.entries(user.claims).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  ]);
}

async function add(username: string | undefined, flags: AddFlags): Promise<void> {
  const [{ connect }, out, prompts, check] = await Promise.all([
    import('../app/connect.js'), import('./output.js'), import('./prompts.js'), import('../admin/validate.js'),
  ]);
  const name = username ?? (await prompts.ask('USERNAME', {
    message: 'Username', validate: prompts.validator((v) => check.identifier(v, 'USERNAME')),
  }));
  const { result } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('user.add', {
    username: name, password: flags.password, email: flags.email, name: flags.name, sub: flags.sub, claims: flags.claim, preset: flags.preset,
  });
  if (flags.json) return out.printJson(result);
  if (result.unchanged) return out.say(`user ${result.username} unchanged (it exists with these options already)`);
  await printUser(result);
  await out.say(`user ${result.username} added`);
}

interface UpdateFlags extends CommonFlags {
  password?: string;
  email?: string;
  name?: string;
  claim?: string[];
  removeClaim?: string[];
}

async function update(username: string, flags: UpdateFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('user.update', {
    username, password: flags.password, email: flags.email, name: flags.name, claims: flags.claim, removeClaims: flags.removeClaim,
  });
  if (flags.json) return out.printJson(result);
  await printUser(result);
  await out.say(`user ${result.username} updated`);
}

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags) }).run('user.list', {});
  if (flags.json) return out.printJson(result);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  await out.printTable(
    ['USERNAME', 'SUB', 'PASSWORD', 'NAME', 'EMAIL'],
    result.map((u) => [u.username, u.sub, u.has_password ? 'yes' : 'no', str(u.claims.name), str(u.claims.email)]),
    'No users yet: dev-op user add alice',
  );
}

async function show(username: string | undefined, flags: CommonFlags): Promise<void> {
  const [{ connect }, out, prompts] = await Promise.all([import('../app/connect.js'), import('./output.js'), import('./prompts.js')]);
  const name = username ?? (await prompts.ask('USERNAME', { message: 'Username' }));
  const { result } = await connect({ ...dataTarget(flags) }).run('user.show', { username: name });
  if (flags.json) return out.printJson(result);
  await printUser(result);
}

async function remove(username: string | undefined, flags: CommonFlags): Promise<void> {
  const [{ connect }, out, prompts] = await Promise.all([import('../app/connect.js'), import('./output.js'), import('./prompts.js')]);
  const name = username ?? (await prompts.ask('USERNAME', { message: 'Username to remove' }));
  const { result } = await connect({ ...dataTarget(flags) }).run('user.remove', { username: name });
  if (flags.json) return out.printJson(result);
  await out.say(`user ${result.removed} removed`);
}

export function userCommand() {
  return group('user', 'manage end-users who can sign in',
    leaf('add', 'add a user')
      .argument('[username]', 'login name (also the sub unless --sub)')
      .option('--password <password>', 'require this password at login (default: none, one click)')
      .option('--email <email>', 'email claim (email_verified is set true)')
      .option('--name <name>', 'name claim')
      .option('--sub <sub>', 'subject identifier (default: the username)')
      .option('--claim <key=value>', 'any claim; the value is JSON if it parses (age=42, groups=\'["a","b"]\'), else a string; one starting with { [ or " must parse (repeatable)', collect)
      .addOption(new Option('--preset <idp>', 'fill in the claims a user of this IdP has (e.g. entra: oid, tid, roles)').choices(PRESET_NAMES))
      .addHelpText('after', examples(
        'dev-op user add carol --preset entra --claim \'roles=["Admin"]\'',
        'dev-op user add alice --password pw --email alice@example.com --name "Alice Liddell" --claim groups=admin --claim locale=en',
        'dev-op user add bob --claim age=42 --claim \'groups=["dev","ops"]\'',
      ))
      .action(action(add)),
    leaf('update', 'change a user in place (their sessions and tokens stay valid)')
      .argument('<username>', 'login name')
      .option('--password <password>', 'a new password')
      .option('--email <email>', 'email claim (email_verified is set true)')
      .option('--name <name>', 'name claim')
      .option('--claim <key=value>', 'set a claim, typed as for user add (repeatable)', collect)
      .option('--remove-claim <key>', 'remove a claim (repeatable)', collect)
      .addHelpText('after', examples(
        'dev-op user update alice --password pw',
        'dev-op user update alice --claim \'groups=["admin"]\' --remove-claim locale',
      ))
      .action(action(update)),
    leaf('list', 'list users')
      .addHelpText('after', examples('dev-op user list', 'dev-op user list --json'))
      .action(action(list)),
    leaf('show', 'show one user and their claims')
      .argument('[username]', 'login name')
      .addHelpText('after', examples('dev-op user show alice'))
      .action(action(show)),
    leaf('remove', 'remove a user')
      .argument('[username]', 'login name')
      .addHelpText('after', examples('dev-op user remove alice'))
      .action(action(remove)),
  ).addHelpText('after', examples('dev-op user add bob --password b0b', 'dev-op user list'));
}
