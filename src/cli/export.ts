import { open } from 'node:fs/promises';
import { action, examples, leaf, dataTarget, type CommonFlags } from './common.js';

interface ExportFlags extends CommonFlags {
  includeKeys?: boolean;
  output?: string;
}

/** A file only its owner reads: it holds private keys. Truncated by open, private before the first byte. */
async function writePrivate(path: string, text: string): Promise<void> {
  const file = await open(path, 'w', 0o600);
  try {
    await file.chmod(0o600); // open's mode applies only to a new file
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

async function runExport(flags: ExportFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags) }).run('export', { includeKeys: flags.includeKeys === true });
  const text = `${JSON.stringify(result, null, 2)}\n`;
  if (flags.output === undefined) {
    // The fixture is JSON whatever the flags say.
    process.stdout.write(text);
    return;
  }
  if (flags.includeKeys) await writePrivate(flags.output, text);
  else await (await import('node:fs/promises')).writeFile(flags.output, text);
  await out.say(`wrote ${result.clients.length} client(s), ${result.users.length} user(s)${result.keys ? ` and ${result.keys.length} private key(s) (mode 0600)` : ''} to ${flags.output}`);
}

export function exportCommand() {
  return leaf('export', 'print the store as a fixture (the --seed format): clients, users, and with --include-keys the signing keys')
    .option('--include-keys', 'also export the signing keys with their private parts (keep that file secret)')
    .option('-o, --output <file>', 'write to this file instead of stdout (mode 0600 with --include-keys)')
    .addHelpText('after', `
Clients are exported with their secrets and users with their password hashes (accepted back as
they are by --seed and reset).${examples('dev-op export > test/op.json', 'dev-op start --memory --seed test/op.json', 'dev-op export --include-keys --output op-with-keys.json')}`)
    .action(action(runExport));
}
