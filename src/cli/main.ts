import { Command } from 'commander';
import { clientCommand } from './client.js';
import { fail } from './fail.js';
import { initCommand } from './init.js';
import { jwksCommand } from './jwks.js';
import { loginCommand } from './login.js';
import { startCommand } from './start.js';
import { tokenCommand } from './token.js';
import { userCommand } from './user.js';

export function program(): Command {
  return new Command('dev-op')
    .description('A local OpenID Connect Provider for development and CI')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(startCommand())
    .addCommand(initCommand())
    .addCommand(clientCommand())
    .addCommand(userCommand())
    .addCommand(jwksCommand())
    .addCommand(tokenCommand())
    .addCommand(loginCommand())
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
