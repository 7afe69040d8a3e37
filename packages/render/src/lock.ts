import { link, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { UserError } from "@homeops/core";

/** The lock file a writing run holds, relative to the repository root. */
export const LOCK_PATH = ".homeops/lock";

export interface RepositoryLock {
  /** Removes the lock file (only if it is still ours). */
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is just someone else's
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the repository's lock (`.homeops/lock`, created exclusively, holding the pid) so that two
 * writing runs never interleave their trees. A lock held by a live process on this host is a
 * `LOCKED` error naming its pid; one left by a process that is gone (killed) is taken over.
 */
export async function lockRepository(rootDir: string): Promise<RepositoryLock> {
  const path = join(rootDir, LOCK_PATH);
  await mkdir(dirname(path), { recursive: true });
  const host = hostname();
  const mine = `${process.pid} ${host}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    // written beside it, then hard-linked into place: the lock appears whole (pid included) or not at all
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, mine, { mode: 0o644 });
    try {
      await link(temp, path);
      await rm(temp, { force: true });
      await removeStaleTemps(dirname(path));
      return {
        release: async () => {
          const now = await readFile(path, "utf8").catch(() => "");
          if (now === mine) await rm(path, { force: true });
        },
      };
    } catch (error) {
      await rm(temp, { force: true });
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const text = await readFile(path, "utf8").catch(() => "");
    const [pidText, owner] = text.trim().split(/\s+/);
    const pid = Number(pidText);
    if (Number.isInteger(pid) && pid > 0 && (owner !== host || alive(pid))) {
      throw new UserError(
        "LOCKED",
        `another homeops is running (pid ${pid}${owner && owner !== host ? ` on ${owner}` : ""})`,
        {
          location: { file: LOCK_PATH },
          hint: `wait for it to finish; if no homeops is running, remove ${LOCK_PATH}`,
        },
      );
    }
    // stale (its process is gone) or unreadable garbage: take it over
    await rm(path, { force: true });
  }
  throw new UserError("LOCKED", `could not take ${LOCK_PATH}`, {
    location: { file: LOCK_PATH },
    hint: `if no homeops is running, remove ${LOCK_PATH}`,
  });
}

/**
 * Removes the lock attempts (`lock.<pid>.tmp`) of processes that are gone: a run killed between writing
 * its attempt and linking it leaves one behind. Called while holding the lock; a live process' attempt
 * is its own to remove.
 */
async function removeStaleTemps(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = /^lock\.(\d+)\.tmp$/.exec(name);
    if (!m || Number(m[1]) === process.pid || alive(Number(m[1]))) continue;
    await rm(join(dir, name), { force: true });
  }
}
