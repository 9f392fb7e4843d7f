import { Command } from 'commander';
import { fail } from './fail.js';
import { startCommand } from './start.js';

export function program(): Command {
  return new Command('dev-op')
    .description('A local OpenID Connect Provider for development and CI')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .addCommand(startCommand())
    .addHelpText('after', `
Examples:
  $ npx dev-op start
  $ dev-op start --port 0 --memory --json`);
}

export function main(argv: string[]): void {
  program().parseAsync(argv).catch(fail);
}
