// One file of entries kept between runs (the parse cache and the build cache): each entry is stored
// serialized on its own, so a run deserializes only the entries it reads and writes back the others' bytes
// as they are (a run that changes one build does not serialize the whole repository again).
import { readFileSync } from "node:fs";
import { deserialize, serialize } from "node:v8";
import { getOrCompute, writeFileAtomicSync } from "@homeops/core";

/** Entries no run read in this many saving runs are dropped. */
const KEEP_RUNS = 8;

interface Stored {
  bytes: Buffer;
  /** the cache's run counter when it was last read or written */
  used: number;
}

export class DiskCache<T> {
  private loaded = false;
  private readonly entries = new Map<string, Stored>();
  private readonly values = new Map<string, T>();
  private run = 0;
  private changed = false;

  /**
   * The cache in `file`, written by a build whose `identity` is given: a file another build wrote, or one
   * that cannot be read, starts empty. Read on first use (a run that asks it nothing does not read it).
   */
  constructor(
    readonly file: string,
    private readonly identity: string,
  ) {}

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const identity = this.identity;
    try {
      const data = deserialize(readFileSync(this.file)) as {
        identity?: string;
        run?: number;
        entries?: [string, number, Uint8Array][];
      };
      if (data.identity === identity && Array.isArray(data.entries) && typeof data.run === "number") {
        for (const [key, used, bytes] of data.entries)
          this.entries.set(key, { bytes: Buffer.from(bytes), used });
        this.run = data.run + 1;
      }
    } catch {
      // none yet, or unreadable: an empty cache
    }
  }

  /** The entry under `key` (deserialized once per process: callers share it, read-only), marked as read. */
  get(key: string): T | undefined {
    this.load();
    const stored = this.entries.get(key);
    if (!stored) return undefined;
    stored.used = this.run;
    try {
      return getOrCompute(this.values, key, () => deserialize(stored.bytes) as T);
    } catch {
      this.entries.delete(key);
      return undefined;
    }
  }

  /** Keeps `value` under `key` as it is now (serialized at once: later changes to it are not kept). */
  set(key: string, value: T): void {
    this.load();
    const bytes = serialize(value);
    const stored = this.entries.get(key);
    this.values.delete(key);
    // the same bytes again (a run that learned nothing new) leave the file as it is
    if (stored?.bytes.equals(bytes)) {
      stored.used = this.run;
      return;
    }
    this.entries.set(key, { bytes, used: this.run });
    this.changed = true;
  }

  /** Writes the file when an entry was added or one is old enough to drop; a failed write only costs speed. */
  save(): void {
    if (!this.loaded) return;
    const kept = [...this.entries].filter(([, e]) => this.run - e.used < KEEP_RUNS);
    // a run that writes nothing does not count: the next one reads the same run number
    if (!this.changed && kept.length === this.entries.size) return;
    try {
      writeFileAtomicSync(
        this.file,
        serialize({
          identity: this.identity,
          run: this.run,
          entries: kept.map(([key, e]) => [key, e.used, e.bytes]),
        }),
      );
      this.changed = false;
    } catch {
      // a read-only or full cache directory only costs speed
    }
  }
}
