import { action, examples, leaf, dataTarget, type CommonFlags } from './common.js';

interface ResetFlags extends CommonFlags {
  seed?: string;
}

async function runReset(flags: ResetFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  // Read here so a bad fixture names the file on this machine; the server validates it again.
  const fixture = flags.seed === undefined ? undefined : await (await import('../admin/fixture.js')).readFixture(flags.seed);
  const { result, via } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('reset', fixture === undefined ? {} : { fixture });
  if (flags.json) return out.printJson({ ...result, via });
  const to = flags.seed ?? (via === 'server' ? "the server's fixture (or its defaults)" : 'the defaults of a fresh start');
  await out.say(`reset ${via === 'server' ? 'the running server' : via === 'shared' ? 'the shared store' : flags.data} to ${to}: ${result.clients.length} client(s), ${result.users.length} user(s); every session, code and token is gone`);
}

export function resetCommand() {
  return leaf('reset', 'back to the fixture: clients and users as it has them, every session, code and token dropped')
    .option('--seed <file>', 'reset to this fixture (default: the one the running server started with, else what a fresh start creates)')
    .addHelpText('after', `
Through a running server the reset is live: its next request sees the fixture's clients and users
and no session or token from before (cookie and signing keys stay). With no server, the data file
is reset.${examples('dev-op reset', 'dev-op reset --seed test/op.json')}`)
    .action(action(runReset));
}
