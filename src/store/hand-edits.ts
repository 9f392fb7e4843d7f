import { ConfigError } from '../errors/app-errors.js';
import type { AtomicJsonFile } from './atomic-json-file.js';
import type { MemoryStore } from './memory-store.js';
import { mergeEdit, type Settings } from './merge-edit.js';
import type { DataFile } from './types.js';

export interface HandEditsHost {
  /** Tell the user (stderr); `repeat` false for problems said once until something changes. */
  say(message: string, repeat: boolean): void;
  /** The store holds something the file does not: write it. */
  markDirty(): void;
}

/**
 * A change to the data file that its FileStore did not make (a hand edit, an editor's save, a
 * restore from backup): noticed by the file's stamp, read before anything is written over it,
 * merged in when it is usable, and refused, untouched, while it is not.
 */
export class HandEdits {
  /** Clients, users, keys… as the file held them when last written or read: the merge base. */
  private base: Settings;
  /** The check in progress, shared by the timer and the write loop. */
  private checking: Promise<void> | undefined;
  /** The stamp of an edit that could not be used, and why: not read again until it changes. */
  private refused: { stamp: string; error: ConfigError } | undefined;

  constructor(
    private readonly file: AtomicJsonFile<DataFile>,
    private readonly mem: MemoryStore,
    private readonly host: HandEditsHost,
  ) {
    this.base = mem.settings();
  }

  /** The store wrote `base` (its settings when it serialised the write): the file holds that now. */
  written(base: Settings): void {
    this.base = base;
  }

  /** Take in any change behind the store's back; throws while such a change is unusable. */
  check(): Promise<void> {
    this.checking ??= this.read().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async read(): Promise<void> {
    if (!(await this.file.changedBehindUs())) return;
    const location = this.file.path;
    const stamp = await this.file.stamp();
    if (stamp === undefined) {
      this.host.say(`${location} was deleted while the server runs; writing it again from what the server holds.`, false);
      this.file.forget(); // said once; the next write creates it
      this.host.markDirty();
      return;
    }
    if (this.refused?.stamp === stamp) throw this.refused.error;
    try {
      const edited = await this.file.read();
      if (edited) {
        const { state: _state, ...theirs } = edited;
        this.mem.replaceSettings(mergeEdit(this.base, this.mem.settings(), theirs));
        this.base = theirs;
        this.host.markDirty(); // what the merge kept of ours is not in the file yet
      }
    } catch (err) {
      const error = new ConfigError(
        `${location} was changed by hand and cannot be used (${(err as Error).message}). ` +
          'The server keeps running on what it holds and will not write the file until the edit is fixed or undone.',
      );
      this.refused = { stamp, error };
      this.host.say(error.message, false);
      throw error;
    }
    this.refused = undefined;
    this.host.say(`${location} was changed by hand: the server now uses its clients, users and keys (protocol state stays the server's own).`, true);
  }
}
