import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { clientCommand } from './client.js';
import { exportCommand } from './export.js';
import { fail } from './fail.js';
import { faultCommand } from './fault.js';
import { initCommand } from './init.js';
import { issuerCommand } from './issuer.js';
import { jwksCommand } from './jwks.js';
import { loginCommand } from './login.js';
import { registrationCommand } from './registration.js';
import { logsCommand } from './logs.js';
import { resetCommand } from './reset.js';
import { resourceCommand } from './resource.js';
import { startCommand } from './start.js';
import { stopCommand } from './stop.js';
import { tokenCommand } from './token.js';
import { trustCommand } from './trust.js';
import { userCommand } from './user.js';

/** The installed package's version (dist/cli/ → package.json two folders up). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function program(): Command {
  return new Command('dev-op')
    .description('A local OpenID Connect Provider for development and CI')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(startCommand())
    .addCommand(stopCommand())
    .addCommand(initCommand())
    .addCommand(clientCommand())
    .addCommand(userCommand())
    .addCommand(resourceCommand())
    .addCommand(jwksCommand())
    .addCommand(tokenCommand())
    .addCommand(trustCommand())
    .addCommand(loginCommand())
    .addCommand(exportCommand())
    .addCommand(resetCommand())
    .addCommand(registrationCommand())
    .addCommand(faultCommand())
    .addCommand(logsCommand())
    .addCommand(issuerCommand())
    .addHelpText('after', `
Examples:
  $ npx dev-op start
  $ dev-op start --port 0 --memory --json
  $ dev-op client add --id web --redirect-uri http://localhost:3000/callback
  $ dev-op token mint --user alice`);
}

export function main(argv: string[]): void {
  program().parseAsync(argv).catch(fail);
}
