import { setTimeout as sleep } from 'node:timers/promises';
import type { FoundLint, InspectorReport, Step } from '../app/inspector.js';
import { action, examples, leaf, type CommonFlags } from './common.js';

interface LogsFlags extends CommonFlags {
  follow?: boolean;
  client?: string;
}

/** How often --follow asks the server for what is new. */
const FOLLOW_EVERY_MS = 1000;

function summary(step: Step): string {
  const params = { ...step.query, ...step.form };
  const text = (name: string) => (typeof params[name] === 'string' ? params[name] : undefined);
  const detail = step.endpoint === 'token' ? text('grant_type')?.replace('urn:ietf:params:oauth:grant-type:', '')
    : step.endpoint === 'authorization' ? text('response_type') && `response_type=${text('response_type')}` : undefined;
  return [detail, step.error, step.location && `→ ${step.location}`].filter(Boolean).join(' ');
}

function stepLine(step: Step): string {
  const time = new Date(step.at).toISOString().slice(11, 19);
  const client = step.clientId ? `client=${step.clientId}` : '';
  return [time, `#${step.seq}`, step.flowId ?? '-', step.method.padEnd(4), step.path, String(step.status), client, summary(step)]
    .filter(Boolean).join(' ');
}

function lintLine(lint: FoundLint | Step['lints'][number]): string {
  return `    ! ${lint.code}: ${lint.message} (${lint.spec})`;
}

/** The timeline as text: one line per request, its lints under it. */
function printSteps(steps: Step[]): void {
  for (const step of steps) {
    process.stdout.write(`${stepLine(step)}\n`);
    for (const lint of step.lints) process.stdout.write(`${lintLine(lint)}\n`);
  }
}

async function runLogs(flags: LogsFlags): Promise<void> {
  const { readRunningInspector } = await import('../app/inspector-client.js');
  const filter = flags.client === undefined ? {} : { client: flags.client };
  let report: InspectorReport = await readRunningInspector(flags.data, filter);
  if (!flags.follow) {
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    printSteps(report.steps);
    const lints = report.lints.length;
    process.stderr.write(`${report.steps.length} request(s) in ${report.flows.length} flow(s), ${lints} lint(s)${report.dropped ? `; ${report.dropped} older request(s) no longer kept` : ''}\n`);
    return;
  }
  // --follow: what is recorded, then what is new every second; --json prints one request per line.
  const print = (steps: Step[]) => (flags.json ? steps.forEach((s) => process.stdout.write(`${JSON.stringify(s)}\n`)) : printSteps(steps));
  print(report.steps);
  for (;;) {
    await sleep(FOLLOW_EVERY_MS);
    try {
      report = await readRunningInspector(flags.data, { ...filter, since: report.last });
    } catch (err) {
      process.stderr.write(`dev-op: ${(err as Error).message}\n`);
      process.exit(1);
    }
    print(report.steps);
  }
}

export function logsCommand() {
  return leaf('logs', 'the flow inspector in the terminal: every request the running server answered, with the lints of the app')
    .option('--follow', 'keep printing requests as they arrive (Ctrl+C to stop)')
    .option('--client <id>', "only this client's requests")
    .addHelpText('after', `
The running server records requests in memory (the last 1000 or about 2 MB): codes and opaque
tokens appear by their first 8 characters, JWTs decoded (known by 8 characters of their
signature), secrets never. Each lint names what the
app did wrong and the spec section. With no server running there is nothing to show (exit 1).
With --json: the whole report (steps, flows, lints) as one JSON document; with --follow --json,
one request per line.${examples('dev-op logs', 'dev-op logs --follow --client web', 'dev-op logs --json | jq \'.lints\'')}`)
    .action(action(runLogs));
}
