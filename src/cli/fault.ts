import { Option } from 'commander';
import type { FaultInput } from '../admin/faults.js';
import { UsageError } from '../errors/app-errors.js';
import type { FaultRule } from '../util/faults.js';
import { action, examples, group, leaf, type CommonFlags } from './common.js';

interface AddFlags extends CommonFlags {
  endpoint?: string;
  client?: string;
  times?: string;
  error?: string;
  description?: string;
  status?: string;
  latency?: string;
  jwksWithoutKey?: boolean;
  idToken?: 'wrong-aud' | 'wrong-iss' | 'expired' | 'bad-signature';
  userinfoSubMismatch?: boolean;
  devicePending?: string;
  denyConsent?: boolean;
}

/** The kind flags, of which one rule takes at most one. */
function kindOf(flags: AddFlags): Pick<FaultInput, 'kind' | 'pending'> {
  const kinds: Pick<FaultInput, 'kind' | 'pending'>[] = [];
  if (flags.jwksWithoutKey) kinds.push({ kind: 'jwks_without_key' });
  if (flags.idToken) kinds.push({ kind: `id_token_${flags.idToken.replace('-', '_') as 'wrong_aud' | 'wrong_iss' | 'expired' | 'bad_signature'}` });
  if (flags.userinfoSubMismatch) kinds.push({ kind: 'userinfo_sub_mismatch' });
  if (flags.devicePending !== undefined) kinds.push({ kind: 'device_pending', pending: Number(flags.devicePending) });
  if (flags.denyConsent) kinds.push({ kind: 'deny_consent' });
  if (kinds.length > 1) throw new UsageError('one fault per rule: give only one of --jwks-without-key, --id-token, --userinfo-sub-mismatch, --device-pending, --deny-consent');
  return kinds[0] ?? {};
}

/** A number flag as the operation wants it; the operation says what is wrong with it. */
const numberOr = (value: string | undefined): number | string | undefined => (value !== undefined && /^\d+$/.test(value) ? Number(value) : value);

function describe(rule: FaultRule): string {
  switch (rule.kind) {
    case 'error': return `${rule.error} (${rule.status})`;
    case 'status': return `HTTP ${rule.status}`;
    case 'latency': return 'latency only';
    case 'device_pending': return `pending ${rule.pending}x, then access_denied`;
    default: return rule.kind.replace(/_/g, ' ');
  }
}

const NO_SERVER = { missingReadsEmpty: true } as const;

async function add(flags: AddFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const input: FaultInput = {
    ...kindOf(flags),
    ...(flags.endpoint !== undefined ? { endpoint: flags.endpoint } : {}),
    ...(flags.client !== undefined ? { client: flags.client } : {}),
    ...(flags.times !== undefined ? { times: numberOr(flags.times) as number } : {}),
    ...(flags.error !== undefined ? { error: flags.error } : {}),
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    ...(flags.status !== undefined ? { status: numberOr(flags.status) as number } : {}),
    ...(flags.latency !== undefined ? { latency: flags.latency } : {}),
  };
  const { result } = await connect({ data: flags.data, ...NO_SERVER }).run('fault.add', input);
  if (flags.json) return out.printJson(result);
  const who = result.clientId ? ` for client ${result.clientId}` : '';
  const when = result.times === undefined ? 'until `dev-op fault clear`' : `${result.times} time(s)`;
  const delay = result.latencyMs ? ` after ${result.latencyMs} ms` : '';
  await out.say(`fault ${result.id}: ${describe(result)}${delay} at ${result.endpoint}${who}, ${when}`);
}

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data, ...NO_SERVER }).run('fault.list', {});
  if (flags.json) return out.printJson(result);
  await out.printTable(
    ['ID', 'ENDPOINT', 'CLIENT', 'FAULT', 'LATENCY', 'TIMES', 'FIRED'],
    result.map((r) => [r.id, r.endpoint, r.clientId ?? '(any)', describe(r), r.latencyMs ? `${r.latencyMs}ms` : '', r.times ?? 'until cleared', r.fired]),
    'No fault rules: dev-op fault add --endpoint token --status 503',
  );
}

async function clear(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ data: flags.data, ...NO_SERVER }).run('fault.clear', {});
  if (flags.json) return out.printJson(result);
  await out.say(`cleared ${result.cleared} fault rule(s)`);
}

export function faultCommand() {
  return group('fault', 'inject faults into the running server, to test how an app copes',
    leaf('add', 'add a fault rule to the running server (it lasts until cleared or --times is used up)')
      .option('--endpoint <name>', 'discovery, jwks, authorization, token, userinfo, introspection, revocation, device_authorization or end_session')
      .option('--client <id>', 'only requests of this client')
      .option('--times <n>', 'fire n times, then go (default: until cleared)')
      .option('--error <code>', 'answer with this OAuth error, e.g. invalid_grant, temporarily_unavailable')
      .option('--description <text>', 'the error_description of --error')
      .option('--status <n>', 'answer with this HTTP status (with --error: the status of that error)')
      .option('--latency <delay>', 'wait this long before answering, e.g. 500ms, 2s (alone or with another fault)')
      .option('--jwks-without-key', 'serve the JWKS without the key that signs now')
      .addOption(new Option('--id-token <flaw>', 'token endpoint: an ID token with this flaw').choices(['wrong-aud', 'wrong-iss', 'expired', 'bad-signature']))
      .option('--userinfo-sub-mismatch', "userinfo answers with another sub than the ID token's")
      .option('--device-pending <n>', 'device-code polls answer authorization_pending n times, then access_denied')
      .option('--deny-consent', 'the authorization endpoint answers access_denied, as if the user said no')
      .addHelpText('after', examples(
        'dev-op fault add --endpoint token --client web --error invalid_grant --times 2',
        'dev-op fault add --endpoint token --status 503',
        'dev-op fault add --endpoint userinfo --latency 2s',
        'dev-op fault add --id-token wrong-aud --client web',
        'dev-op fault add --device-pending 3',
      ))
      .action(action(add)),
    leaf('list', 'list the running server\'s fault rules and how often each fired')
      .addHelpText('after', examples('dev-op fault list', 'dev-op fault list --json'))
      .action(action(list)),
    leaf('clear', 'remove every fault rule')
      .addHelpText('after', examples('dev-op fault clear'))
      .action(action(clear)),
  ).addHelpText('after', examples('dev-op fault add --endpoint token --status 503 --times 1', 'dev-op fault list', 'dev-op fault clear'));
}
