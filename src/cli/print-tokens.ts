/** How `dev-op login` and `dev-op token refresh` print a token response: all of it, or one token alone. */

export const PRINTABLE = ['access_token', 'id_token', 'refresh_token'] as const;
export type Printable = (typeof PRINTABLE)[number];

/** `name` from a token response alone on stdout; a response without it is a clear error. */
export async function printOne(tokens: Record<string, unknown>, name: Printable): Promise<void> {
  const value = tokens[name];
  if (typeof value !== 'string') {
    const { ConfigError } = await import('../errors/app-errors.js');
    const hint = name === 'refresh_token' ? '; ask for one with --scope "openid offline_access"' : name === 'id_token' ? '; ask for one with --scope openid' : '';
    throw new ConfigError(`the token response has no ${name}${hint}`);
  }
  process.stdout.write(`${value}\n`);
}

/** label<TAB>value lines in a pipe (a table on a terminal), with the ID token's claims; --json: the response as is. */
export async function printTokens(tokens: Record<string, unknown>, claims: Record<string, unknown> | undefined, json: boolean): Promise<void> {
  const out = await import('./output.js');
  if (json) return out.printJson(tokens);
  const { humanDuration } = await import('../util/human-duration.js');
  const expiresIn = typeof tokens.expires_in === 'number' ? tokens.expires_in : undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  await out.printFields([
    ['access_token', str(tokens.access_token)],
    ['token_type', str(tokens.token_type)],
    ['expires', expiresIn === undefined ? undefined : `in ${humanDuration(expiresIn)} (${new Date(Date.now() + expiresIn * 1000).toISOString()})`],
    ['refresh_token', str(tokens.refresh_token)],
    ['scope', str(tokens.scope)],
    ['id_token', str(tokens.id_token)],
  ]);
  if (claims && out.stdoutIsTty()) {
    const { out: colour } = await out.colours();
    process.stdout.write(`\n${colour.bold('ID token claims')}\n${JSON.stringify(claims, null, 2)}\n`);
  } else if (claims) {
    process.stdout.write(`id_token_claims\t${JSON.stringify(claims)}\n`);
  }
  if (tokens.refresh_token === undefined && process.stderr.isTTY) {
    await out.warn('no refresh token: ask for one with --scope "openid profile email offline_access"');
  }
}
