import { Option } from 'commander';
import type { JSONWebKeySet } from 'jose';
import type { Inspection } from '../rp/inspect-token.js';
import { PRESET_NAMES } from '../protocol/presets.js';
import { action, collect, examples, group, leaf, dataTarget, withoutStore, type CommonFlags } from './common.js';
import { PRINTABLE } from './print-tokens.js';
import type { GetFlags, RefreshFlags } from './token-grants.js';

interface MintFlags extends CommonFlags {
  user?: string;
  sub?: string;
  client?: string;
  scope?: string;
  aud?: string;
  ttl?: string;
  claim?: string[];
  type: 'access' | 'id';
  issuer?: string;
  preset?: string;
}

interface InspectFlags extends CommonFlags {
  issuer?: string;
}

async function mint(flags: MintFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result, via } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('token.mint', {
    user: flags.user, sub: flags.sub, client: flags.client, scope: flags.scope, aud: flags.aud, ttl: flags.ttl,
    claims: flags.claim, type: flags.type, issuer: flags.issuer, preset: flags.preset,
  });
  if (flags.json) return out.printJson(result);
  // The token alone on stdout, so that $(dev-op token mint …) is the token.
  process.stdout.write(`${result.token}\n`);
  if (process.stderr.isTTY) {
    const { humanDuration } = await import('../util/human-duration.js');
    const c = result.claims ?? {};
    const who = c.sub === undefined ? '' : ` for ${String(c.sub)}`;
    const issuer = via === 'server' ? '' : ` (issuer ${String(c.iss ?? flags.issuer ?? '')}${via === 'shared' ? '' : '; no server was running'})`;
    await out.say(`${result.type === 'id' ? 'ID' : 'access'} token${who}, expires in ${humanDuration(result.expires_in)}${issuer}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The issuer's JWKS, found through its discovery document (by src/rp, as any relying party would). */
async function issuerJwks(issuer: string): Promise<JSONWebKeySet> {
  const [{ discover }, { fetchJwks }] = await Promise.all([import('../rp/discover.js'), import('../rp/jwks.js')]);
  return fetchJwks(await discover(issuer, { issuer }));
}

/** Pretty JSON, coloured on a terminal. */
async function prettyJson(value: unknown): Promise<string> {
  const { out } = await (await import('./output.js')).colours();
  const json = JSON.stringify(value, null, 2);
  if (out.level === 0) return json;
  return json.replace(/("(?:[^"\\]|\\.)*")(\s*:)?|\b(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|true|false|null)\b/g, (m, str: string | undefined, colon: string | undefined, lit: string | undefined) => {
    if (str !== undefined) return colon ? `${out.cyan(str)}${colon}` : out.green(str);
    return lit !== undefined ? out.yellow(lit) : m;
  });
}

const TIME_CLAIMS = ['iat', 'nbf', 'auth_time', 'exp'] as const;

async function printInspection(report: Inspection, now: number): Promise<void> {
  const { colours } = await import('./output.js');
  const { humanDuration } = await import('../util/human-duration.js');
  const { out } = await colours();
  const lines = [out.bold('Header'), await prettyJson(report.header), '', out.bold('Payload'), await prettyJson(report.payload), ''];
  const times = TIME_CLAIMS.filter((name) => typeof report.payload[name] === 'number');
  if (times.length) {
    lines.push(out.bold('Times'));
    for (const name of times) {
      const at = report.payload[name] as number;
      const delta = at - now;
      const relative = name === 'exp'
        ? (delta > 0 ? `expires in ${humanDuration(delta)}` : `expired ${humanDuration(-delta)} ago`)
        : (delta > 0 ? `in ${humanDuration(delta)}` : `${humanDuration(-delta)} ago`);
      lines.push(`  ${name.padEnd(9)} ${new Date(at * 1000).toISOString()}  ${out.dim(`(${relative})`)}`);
    }
    lines.push('');
  }
  const jkt = (report.payload.cnf as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt === 'string') {
    // RFC 9449 6.1: a DPoP-bound token is useless without a proof signed by this key.
    lines.push(out.bold('DPoP'), `  bound to the key with thumbprint cnf.jkt ${jkt}: send it as "Authorization: DPoP <token>" with a DPoP proof`, '');
  }
  if (report.valid) {
    lines.push(out.green(`valid: signature verified with key ${String(report.header.kid ?? '')} (${String(report.header.alg)})`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function inspect(tokenArg: string | undefined, flags: InspectFlags): Promise<void> {
  const [{ inspectToken, decodeToken }, prompts, out] = await Promise.all([
    import('../rp/inspect-token.js'), import('./prompts.js'), import('./output.js'),
  ]);
  let token = tokenArg === '-' ? await readStdin() : tokenArg;
  token ??= await prompts.ask('TOKEN (or - to read it from stdin)', { message: 'Token' });
  token = token.trim().replace(/^(Bearer|DPoP)\s+/i, '');
  decodeToken(token); // not a JWT: say so before fetching any keys
  let jwks: JSONWebKeySet;
  if (flags.issuer !== undefined) {
    jwks = await issuerJwks(flags.issuer);
  } else {
    const { connect } = await import('../app/connect.js');
    jwks = (await connect({ ...dataTarget(flags) }).run('jwks.export', {})).result as JSONWebKeySet;
  }
  const now = Math.floor(Date.now() / 1000);
  const issuer = flags.issuer?.replace(/\/$/, '');
  const report = await inspectToken(token, jwks, { now, ...(issuer !== undefined ? { issuer } : {}) });
  if (flags.json) {
    out.printJson({
      valid: report.valid, ...(report.reason ? { reason: report.reason } : {}), header: report.header, payload: report.payload,
      ...(report.expiresIn !== undefined ? { expires_in: report.expiresIn } : {}),
    });
  } else {
    await printInspection(report, now);
  }
  if (!report.valid) {
    process.stderr.write(`dev-op: invalid token: ${report.reason}\n`);
    process.exitCode = 1;
  }
}

// token-grants.js imports its dependencies (oauth4webapi, the transport) inside the actions.
const get = async (flags: GetFlags) => (await import('./token-grants.js')).tokenGet(flags);
const refresh = async (flags: RefreshFlags) => (await import('./token-grants.js')).tokenRefresh(flags);

export function tokenCommand() {
  return group('token', 'mint, inspect, get and refresh tokens',
    leaf('mint', 'sign a token with the current key; prints the token alone (or JSON with --json)')
      .option('--user <username>', 'a configured user: sub and claims come from them')
      .option('--sub <sub>', 'a subject (a configured user\'s or any string)')
      .option('--client <id>', 'the client the token is for (default: the first client)')
      .option('--scope <scopes>', 'space-separated scopes (default "openid profile email" with a user, the client\'s scope without)')
      .option('--aud <audience>', 'access token audience (default: the client_id)')
      .option('--ttl <duration>', 'lifetime: 30s, 15m, 1h, 2d (default 1h)')
      .option('--claim <key=value>', 'extra claim; JSON if it parses, else a string (repeatable)', collect)
      .addOption(new Option('--type <type>', 'access token (RFC 9068 JWT) or ID token').choices(['access', 'id']).default('access'))
      .addOption(new Option('--preset <idp>', 'shape the token like this IdP\'s (default: the client\'s preset)').choices(PRESET_NAMES))
      .option('--issuer <url>', 'the token\'s iss (default: the running server\'s, else the last server\'s on this data file, else http://localhost:4000)')
      .addHelpText('after', examples(
        'dev-op token mint --user alice --client web --scope "openid profile" --aud https://api.local --ttl 15m --claim roles=admin',
        'curl -H "Authorization: Bearer $(dev-op token mint --user alice)" http://localhost:4000/me',
        'dev-op token mint --user alice --type id --json | jq .claims',
        'dev-op token mint --user alice --preset keycloak --json | jq .claims.realm_access',
      ))
      .action(action(mint)),
    leaf('inspect', 'decode a JWT and verify it against the keys; exit 1 if invalid or expired')
      .argument('[token]', 'the token, or - to read it from stdin')
      .option('--issuer <url>', 'verify against this issuer\'s JWKS (via discovery) instead of the data file, and check iss')
      .addHelpText('after', examples(
        'dev-op token inspect eyJhbGciOi...',
        'dev-op token mint --user alice | dev-op token inspect -',
        'dev-op token inspect "$TOKEN" --issuer http://localhost:4000',
      ))
      .action(action(inspect)),
    withoutStore(leaf('get', 'client_credentials at the running server with the client\'s stored secret; prints the access token alone (--json: the token response)'))
      .requiredOption('--client <id>', 'a client allowed the client_credentials grant')
      .option('--scope <scopes>', 'space-separated scopes')
      .option('--resource <uri>', 'resource indicator, RFC 8707 (repeatable)', collect)
      .addHelpText('after', examples(
        'dev-op token get --client svc',
        'curl -H "Authorization: Bearer $(dev-op token get --client svc --scope api:read)" http://localhost:8080/api',
      ))
      .action(action(get)),
    withoutStore(leaf('refresh', 'refresh the last dev-op login\'s tokens (kept 0600 in <data>.login.json) at the running server'))
      .addOption(new Option('--print <token>', 'print only this token').choices([...PRINTABLE]))
      .addHelpText('after', examples(
        'dev-op login --scope "openid offline_access" --print access_token',
        'dev-op token refresh --print access_token',
      ))
      .action(action(refresh)),
  ).addHelpText('after', examples('dev-op token mint --user alice', 'dev-op token inspect -', 'dev-op token get --client svc'));
}
