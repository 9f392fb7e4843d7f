import { CancelledError, UsageError } from '../errors/app-errors.js';

/**
 * Questions for missing input, asked with inquirer only when a person is at a terminal (stdin
 * and stdout are TTYs). Without one nothing ever waits: a missing value is a one-line error
 * naming its flag. inquirer is loaded only when a question is actually asked.
 */

export function interactive(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}

type Validate = (value: string) => true | string;

interface Question {
  message: string;
  default?: string;
  validate?: Validate;
  /** Hide what is typed (passwords). */
  secret?: boolean;
}

/** Turn a validator that throws (the src/admin checks) into inquirer's `true | message`. */
export function validator(check: (value: string) => unknown): Validate {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

async function prompt<T>(question: Record<string, unknown>): Promise<T> {
  const { default: inquirer } = await import('inquirer');
  // Questions go to stderr when it is a terminal, so stdout stays for results (and --json).
  const ask = inquirer.createPromptModule({ output: process.stderr.isTTY ? process.stderr : process.stdout });
  try {
    const answers = (await ask([{ ...question, name: 'value' }] as never)) as { value: T };
    return answers.value;
  } catch (err) {
    if ((err as Error).name === 'ExitPromptError') throw new CancelledError();
    throw err;
  }
}

/** A required value: asked on a terminal, else "missing <flag>". */
export async function ask(flag: string, q: Question): Promise<string> {
  if (!interactive()) throw new UsageError(`missing ${flag}`);
  return prompt<string>({ type: q.secret ? 'password' : 'input', mask: q.secret ? '*' : undefined, message: q.message, default: q.default, validate: q.validate });
}

/** An optional value on a terminal (empty answer → undefined). */
export async function askOptional(q: Question): Promise<string | undefined> {
  const value = await prompt<string>({ type: q.secret ? 'password' : 'input', mask: q.secret ? '*' : undefined, message: q.message, default: q.default, validate: q.validate });
  return value === '' ? undefined : value;
}

export async function choose<T extends string>(message: string, choices: { name: string; value: T }[]): Promise<T> {
  return prompt<T>({ type: 'list', message, choices });
}
