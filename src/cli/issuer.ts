import type { IssuerView } from '../admin/issuers.js';
import { UsageError } from '../errors/app-errors.js';
import { action, examples, group, leaf, type CommonFlags } from './common.js';

/** `dev-op issuer add|list|remove NAME`: further issuers at `/<NAME>` on the same server. */

interface IssuerFlags extends CommonFlags {
  issuerName?: string;
}

async function run(verb: 'add' | 'list' | 'remove', name: string | undefined, flags: IssuerFlags): Promise<void> {
  // These commands manage the named issuers of the default data; -i picks one, which makes no sense here.
  if (flags.issuerName !== undefined) throw new UsageError(`dev-op issuer ${verb} takes the issuer name as its argument, not -i/--issuer-name`);
  const [{ runIssuerAction }, out] = await Promise.all([import('../app/issuers-on-data.js'), import('./output.js')]);
  const { result, via } = await runIssuerAction(flags.data, verb, name);
  if (flags.json) return out.printJson(result);
  const live = via === 'server' ? ' (the running server, at once)' : '';
  if (verb === 'list') {
    const rows = (result as IssuerView[]).map((view) => [view.name, view.issuer ?? `/${view.name} of the next dev-op start`]);
    return out.printTable(['NAME', 'ISSUER'], rows, 'no named issuers (add one with `dev-op issuer add NAME`)');
  }
  const view = result as IssuerView;
  const where = view.issuer ?? `/${view.name} of the next dev-op start`;
  if (verb === 'remove') {
    return out.say(`removed issuer ${view.name} (${where})${live}: it is no longer served, and its keys, clients, users and sessions are deleted`);
  }
  const seeded = view.seeded ?? {};
  const made = [seeded.key && `signing key ${seeded.key}`, seeded.client && `client ${seeded.client}`, seeded.user && `user ${seeded.user}`].filter(Boolean);
  await out.say(`added issuer ${view.name} at ${where}${live}`);
  if (made.length) await out.say(`seeded like a fresh data file: ${made.join(', ')} (see \`dev-op client show ${seeded.client ?? 'app'} -i ${view.name}\`)`);
}

export function issuerCommand() {
  return group('issuer', 'further issuers on this server, each at /<NAME> with its own keys, clients, users and sessions',
    leaf('add', 'serve a new issuer at /<NAME>, seeded with a signing key, client app and user alice')
      .argument('<name>', 'lowercase letters, digits and -, e.g. tenant-a')
      .addHelpText('after', examples('dev-op issuer add tenant-a', 'dev-op client add --id web -i tenant-a --redirect-uri http://localhost:3000/cb'))
      .action(action((name: string, flags: IssuerFlags) => run('add', name, flags))),
    leaf('list', 'the named issuers and their issuer URLs')
      .addHelpText('after', examples('dev-op issuer list', 'dev-op issuer list --json'))
      .action(action((flags: IssuerFlags) => run('list', undefined, flags))),
    leaf('remove', 'stop serving a named issuer and delete its data (the default issuer cannot be removed)')
      .argument('<name>', 'the named issuer, as `dev-op issuer list` shows it')
      .addHelpText('after', examples('dev-op issuer remove tenant-a'))
      .action(action((name: string, flags: IssuerFlags) => run('remove', name, flags))),
  );
}
