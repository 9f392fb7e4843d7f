import type { InitInput, InitResult } from '../admin/init.js';
import { action, examples, leaf, dataTarget, type CommonFlags } from './common.js';

/** The guided set-up's questions: one client and one user. */
async function askSetUp(flags: CommonFlags): Promise<InitInput> {
  const [prompts, check, { connect }] = await Promise.all([
    import('./prompts.js'), import('../admin/validate.js'), import('../app/connect.js'),
  ]);
  const [clients, users] = await Promise.all([
    connect({ ...dataTarget(flags), missingReadsEmpty: true }).run('client.list', {}).then((r) => r.result.map((c) => c.client_id)),
    connect({ ...dataTarget(flags), missingReadsEmpty: true }).run('user.list', {}).then((r) => r.result.map((u) => u.username)),
  ]);
  const unused = (taken: string[], flag: string, what: string) => prompts.validator((v) => {
    check.identifier(v, flag);
    if (taken.includes(v)) throw new Error(`${what} ${v} already exists; choose another`);
  });
  const where = flags.store === undefined ? flags.data
    : (await import('../app/open-data-store.js')).sharedStoreLocation({ url: flags.store, prefix: flags.storePrefix });
  process.stderr.write(`Setting up ${where}: one client (your app) and one user.\n`);
  const id = await prompts.ask('--id', { message: 'Client ID', default: clients.includes('app') ? undefined : 'app', validate: unused(clients, 'client ID', 'client') });
  const kind = await prompts.choose('Client type', [
    { name: 'confidential (server-side app with a client secret)', value: 'confidential' },
    { name: 'public (SPA or native app, PKCE, no secret)', value: 'public' },
  ]);
  const redirect = await prompts.ask('--redirect-uri', {
    message: 'Redirect URI', default: kind === 'public' ? 'http://localhost:5173/callback' : 'http://localhost:3000/callback',
    validate: prompts.validator((v) => check.redirectUri(v)),
  });
  const username = await prompts.ask('USERNAME', { message: 'Username', default: users.includes('alice') ? undefined : 'alice', validate: unused(users, 'USERNAME', 'user') });
  const password = await prompts.askOptional({ message: 'Password (empty: none, sign in with one click)', secret: true });
  const email = await prompts.askOptional({ message: 'Email (optional)', default: `${username}@example.com` });
  return {
    client: { id, public: kind === 'public', redirectUris: [redirect] },
    user: { username, ...(password ? { password } : {}), ...(email ? { email } : {}) },
  };
}

async function report(result: InitResult, guided: boolean): Promise<void> {
  const { printFields, say } = await import('./output.js');
  const { key, client, user } = result.created;
  if (!key && !client && !user) {
    const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
    await say(`${result.location} is set up already (${count(result.clients, 'client')}, ${count(result.users, 'user')}); nothing to do`);
    return;
  }
  await printFields([
    ['data', result.location],
    ['signing_key', key ? `${key.alg} ${key.kid}` : undefined],
    ['client_id', client?.client_id],
    ['client_secret', client?.client_secret],
    ['redirect_uri', client?.redirect_uris],
    ['user', user?.username],
  ]);
  await say(guided ? 'set up; run dev-op start' : 'created the defaults (no terminal to ask questions on); run dev-op start');
}

async function init(flags: CommonFlags): Promise<void> {
  const [{ connect }, { interactive }, out] = await Promise.all([import('../app/connect.js'), import('./prompts.js'), import('./output.js')]);
  const guided = interactive() && !flags.json;
  const input = guided ? await askSetUp(flags) : {};
  const { result } = await connect({ ...dataTarget(flags) }).run('init', input);
  if (flags.json) return out.printJson(result);
  await report(result, guided);
}

export function initCommand() {
  return leaf('init', 'guided set-up: the data file, a client and a user (defaults without a terminal)')
    .addHelpText('after', examples('dev-op init', 'dev-op init --data test/.dev-op/db.json   # in CI: creates the defaults, asks nothing'))
    .action(action(init));
}
