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
  private readonly entries = new Map<string, Stored>();
  private readonly values = new Map<string, T>();
  private run = 0;
  private changed = false;

  /**
   * The cache in `file`, written by a build whose `identity` is given: a file another build wrote, or one
   * that cannot be read, starts empty.
   */
  constructor(
    readonly file: string,
    private readonly identity: string,
  ) {
    try {
      const data = deserialize(readFileSync(file)) as {
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
    this.entries.set(key, { bytes: serialize(value), used: this.run });
    this.values.delete(key);
    this.changed = true;
  }

  /** Writes the file when an entry was added or one is old enough to drop; a failed write only costs speed. */
  save(): void {
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
