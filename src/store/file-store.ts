import { Low } from 'lowdb';
import { ConfigError } from '../errors/app-errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { jsonDepth } from '../util/json-depth.js';
import { AtomicJsonFile, removeStaleTemps } from './atomic-json-file.js';
import { emptyData } from './empty-data.js';
import { ForwardingStore } from './forwarding-store.js';
import { MemoryStore } from './memory-store.js';
import { MAX_STORED_DEPTH } from './stored-copy.js';
import { HandEdits } from './hand-edits.js';
import { migrate } from './migrations.js';
import { realDataPath } from './real-path.js';
import type { DataFile, Store } from './types.js';

export interface FileStoreOptions {
  clock?: Clock;
  /**
   * Releases the data file's lock, which the caller took before opening (app/data-lock.ts: storage
   * knows no owner file); called when the store is closed, or its opening failed. Holding the lock,
   * the store also removes the temp files a killed writer left. Without it, the caller answers for
   * there being no other writer (a test, a benchmark).
   */
  release?: () => Promise<void>;
  /** Where a problem nobody awaits is told: a background write that failed, a hand edit (default: stderr). */
  warn?: (message: string) => void;
  /** How often the file is checked for hand edits, and failed writes retried (default 1 s). */
  watchEveryMs?: number;
  /** How often expired state is collected, with or without requests (default 30 s). */
  collectEveryMs?: number;
}

const WATCH_EVERY_MS = 1_000;
/** Half of README's promise that expired state leaves the file within a minute: the write follows. */
const COLLECT_EVERY_MS = 30_000;

/**
 * A background write serialises the whole file on the event loop (lowdb), in time proportional to
 * its size. The next background write starts no sooner than this many times that time after the
 * last one started, so writing takes at most 1/20 of the event loop whatever the file's size, and
 * the writing cost per change falls as the file grows instead of rising with it. flush() (an
 * acknowledged CLI write, close) does not wait for this spacing.
 */
const WRITE_SPACING = 20;

/** Diagnostics for the benchmarks: how much writing the coalescing and spacing leave. */
export interface WriteStats {
  writes: number;
  /** Event-loop time spent serialising the file, in total. */
  serialiseMs: number;
  /** The longest single serialisation (a GC pause can make one write much slower than the rest). */
  maxSerialiseMs: number;
  /** Size of the last file written. */
  bytes: number;
}

/**
 * The Store on a JSON file. Reads and changes happen in a MemoryStore; every change marks the
 * file dirty and one coalesced write follows, so the cost of a change does not grow with the
 * file. Never two writes at once: changes made during a write go into the next one. Background
 * writes are spaced by their cost (WRITE_SPACING); a crash loses at most the changes since the
 * last write, and never tears the file (temp file + rename).
 */
export class FileStore extends ForwardingStore {
  private readonly mem: MemoryStore;
  /** Changes made so far, and how many of them are on disk. */
  private changes = 0;
  private written = 0;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** flush() calls waiting for the file to hold `target` changes. */
  private waiters: { target: number; resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** performance.now() before which a background write waits (WRITE_SPACING), and the wake-up for flush(). */
  private nextWriteAt = 0;
  private wake: (() => void) | undefined;
  private readonly stats: WriteStats = { writes: 0, serialiseMs: 0, maxSerialiseMs: 0, bytes: 0 };
  /** A write is between serialising and its rename: the file is ours to change. */
  private writing = false;
  private readonly edits: HandEdits;
  private lastWarning: string | undefined;
  private lastCollect = performance.now();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly location: string,
    private readonly db: Low<DataFile>,
    adapter: AtomicJsonFile<DataFile>,
    clock: Clock,
    private readonly release: (() => Promise<void>) | undefined,
    private readonly options: FileStoreOptions,
  ) {
    super();
    this.mem = new MemoryStore({ clock, data: db.data, location: this.location, onChange: () => this.markDirty() });
    this.edits = new HandEdits(adapter, this.mem, {
      say: (message, repeat) => this.warn(message, repeat),
      markDirty: () => this.markDirty(),
    });
    // Unref'd: a server's own handles keep the process alive, a timer for the file must not.
    this.timer = setInterval(() => void this.tick(), options.watchEveryMs ?? WATCH_EVERY_MS).unref();
  }

  /** Open (creating if missing, mode 0600) a data file. Unusable files throw ConfigError, untouched. */
  static async open(path: string, options: FileStoreOptions = {}): Promise<FileStore> {
    const release = options.release;
    try {
      // Written through its real path: an atomic rename onto a symlink would replace the link.
      const file = await realDataPath(path);
      // Temp files of a writer killed mid-write: ours to delete now that we hold the lock.
      if (release) await removeStaleTemps(file);
      const adapter = new AtomicJsonFile<DataFile>(file, parseDataFile);
      const loaded = await adapter.read();
      const store = new FileStore(file, new Low(adapter, loaded ?? emptyData()), adapter, options.clock ?? systemClock, release, options);
      await store.mem.collectExpired();
      if (!loaded) store.markDirty();
      await store.flush();
      return store;
    } catch (err) {
      await release?.();
      throw err;
    }
  }

  /**
   * The file as it is now, read without the lock (every write is an atomic rename, so a read never
   * sees half of one) and never created. For reading only: changes to it are not saved.
   */
  static async snapshot(path: string, options: { clock?: Clock } = {}): Promise<Store> {
    const file = await realDataPath(path);
    const loaded = await new AtomicJsonFile<DataFile>(file, parseDataFile).read();
    return new MemoryStore({ clock: options.clock, data: loaded ?? emptyData(), location: file });
  }

  /** How often and how long the file has been written (diagnostics; shows coalescing at work). */
  get writeStats(): WriteStats {
    return { ...this.stats };
  }

  override async flush(): Promise<void> {
    const target = this.changes;
    if (this.written >= target) return;
    // Wait for the write that covers `target`, not for the loop to go idle: under steady load
    // (tokens issued all the time) the loop never idles, and an admin write would wait forever.
    // A failed write rejects every waiter; the next flush starts a new loop, which retries.
    const covered = new Promise<void>((resolve, reject) => this.waiters.push({ target, resolve, reject }));
    void this.pump();
    this.wake?.(); // a write spaced out for load goes now: someone is waiting for it
    await covered;
  }

  /** Flush and release the lock. Further use of the store throws. */
  override close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      try {
        await this.flush();
      } finally {
        await this.release?.();
      }
    })();
    return this.closing;
  }

  private markDirty(): void {
    this.changes++;
    void this.pump();
  }

  /** The one write loop, started if idle. It never rejects: failures go to flush() callers, or a warning. */
  private pump(): Promise<void> {
    this.loop ??= this.drain().then(
      () => {
        this.loop = undefined;
        // A change made while the loop was finishing would otherwise wait for the next change.
        if (this.written < this.changes) void this.pump();
      },
      (err: Error) => {
        this.loop = undefined;
        const waiting = this.waiters.splice(0);
        for (const waiter of waiting) waiter.reject(err);
        // A background write nobody awaits: say so; the timer retries it, and a flush() throws it.
        if (waiting.length === 0) this.warn(err instanceof ConfigError ? err.message : `dev-op could not write ${this.location}: ${err.message}`);
      },
    );
    return this.loop;
  }

  /** One line on stderr per distinct problem, not one per retry (unless `repeat`: news, not a problem). */
  private warn(message: string, repeat = false): void {
    if (message === this.lastWarning) return;
    this.lastWarning = repeat ? undefined : message;
    if (this.options.warn) this.options.warn(message);
    else process.stderr.write(`dev-op: ${message}\n`);
  }

  /** Once a second: take in hand edits, retry a failed write, and collect expired state now and then. */
  private async tick(): Promise<void> {
    if (this.closing) return;
    try {
      if (!this.writing) await this.edits.check();
      if (performance.now() - this.lastCollect >= (this.options.collectEveryMs ?? COLLECT_EVERY_MS)) {
        this.lastCollect = performance.now();
        await this.mem.collectExpired(); // a change, if anything expired: the write follows
      }
      if (this.written < this.changes) void this.pump();
    } catch {
      // edits.check() has said what is wrong; the next tick looks again.
    }
  }

  private async drain(): Promise<void> {
    // Let the changes of this tick (e.g. a token response's several puts) join one write.
    await new Promise<void>((done) => setImmediate(done));
    while (this.written < this.changes) {
      await this.spacing();
      await this.edits.check(); // never write over an edit not read; throws while the edit is unusable
      const target = this.changes;
      const started = performance.now();
      this.writing = true;
      const writing = this.db.write().finally(() => (this.writing = false)); // serialises synchronously: the file holds exactly `target` changes
      const base = this.mem.settings();
      const serialiseMs = performance.now() - started;
      this.nextWriteAt = started + WRITE_SPACING * serialiseMs;
      this.stats.serialiseMs += serialiseMs;
      this.stats.maxSerialiseMs = Math.max(this.stats.maxSerialiseMs, serialiseMs);
      await writing;
      this.stats.bytes = this.db.adapter instanceof AtomicJsonFile ? this.db.adapter.lastBytes : 0;
      this.stats.writes++;
      this.written = target;
      this.edits.written(base);
      this.waiters = this.waiters.filter((waiter) => (waiter.target <= target ? (waiter.resolve(), false) : true));
    }
  }

  /** Wait out WRITE_SPACING, unless a flush() or close() is waiting for this write. */
  private spacing(): Promise<void> {
    const wait = this.nextWriteAt - performance.now();
    if (wait <= 0 || this.waiters.length > 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait);
      this.wake = done;
    });
  }

  /**
   * Every other Store method is the MemoryStore's (ForwardingStore), changed there at once (atomic
   * in this process); markDirty, its onChange, carries the change to the file in the next write.
   * Unless closed: a closed store has no lock, so it must not change.
   */
  protected override target(): MemoryStore {
    if (this.closing) throw new Error(`the store for ${this.location} is closed`);
    return this.mem;
  }
}

/** The data file's JSON as the current schema, refused if it could not be written back (too deep). */
function parseDataFile(raw: unknown, path: string): DataFile {
  const data = migrate(raw, path);
  if (jsonDepth(data, MAX_STORED_DEPTH) > MAX_STORED_DEPTH) {
    throw new ConfigError(
      `${path} holds a value nested more than ${MAX_STORED_DEPTH} levels deep, which dev-op cannot write back. ` +
        'dev-op will not overwrite it; fix or move it, or use --data to point elsewhere.',
    );
  }
  return data;
}
