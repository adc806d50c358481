import { accessSync, closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "./user-error";

/** One file to replace. */
export interface PlannedWrite {
  /** Real path of the file (symlinks already resolved, so the link itself is never replaced). */
  readonly path: string;
  /** How messages name the file, e.g. relative to the repository. */
  readonly label: string;
  readonly data: Uint8Array;
  /** What the file holds now: put back if a later file cannot be replaced. */
  readonly original: Uint8Array;
}

/**
 * The temporary written next to `path`: in its directory, so the rename stays on one file system
 * and is atomic; a fixed name, so that a leftover is recognisable and never piles up.
 */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.amplify-vpc-tmp`);
}

/**
 * Replaces every file or none. All targets are checked first, then each new content goes to a
 * temporary next to its file (same directory, so same file system and an atomic rename), and
 * only when all temporaries are written are they renamed over their files. Any failure removes
 * the temporaries; a rename that fails after others succeeded puts the earlier files back from
 * `original`. Failures are UserErrors naming the file: no half-edited app, no stack trace.
 */
export function writeAllOrNothing(writes: readonly PlannedWrite[]): void {
  for (const write of writes) checkWritable(write);
  const temps: string[] = [];
  try {
    for (const write of writes) temps.push(writeTemp(write, write.data));
  } catch (error) {
    temps.forEach(removeQuietly);
    throw error;
  }
  writes.forEach((write, i) => {
    try {
      renameSync(temps[i]!, write.path);
    } catch (error) {
      temps.slice(i).forEach(removeQuietly);
      const notRestored = writes.slice(0, i).filter((done) => !restore(done));
      throw new UserError(
        `cannot write ${write.label}: ${reason(error)}`,
        notRestored.length === 0
          ? "nothing was changed; fix the cause and run the command again"
          : `${notRestored.map((w) => w.label).join(", ")} could not be put back: restore them with \`git checkout\`, then run the command again`,
      );
    }
  });
}

/** Refuses a read-only file or directory up front, instead of quietly replacing it by rename. */
function checkWritable(write: PlannedWrite): void {
  for (const path of [write.path, dirname(write.path)]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      throw new UserError(
        `cannot write ${write.label}: ${reason(error)}`,
        "make the template and its directory writable (nothing was changed), then run the command again",
      );
    }
  }
}

/** Writes `data` to the file's temporary, durably and with the file's mode; returns its path. */
function writeTemp(write: PlannedWrite, data: Uint8Array): string {
  const temp = tempPath(write.path);
  const tempLabel = join(dirname(write.label), basename(temp));
  let fd: number;
  try {
    // "wx": never reuse or clobber something already there, be it a leftover or someone's file.
    fd = openSync(temp, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserError(
        `cannot write ${write.label}: ${tempLabel} is in the way`,
        `nothing was changed; delete ${tempLabel} (left by an interrupted run?) and run the command again`,
      );
    }
    throw new UserError(`cannot write ${write.label}: ${reason(error)}`, "nothing was changed; fix the cause and run the command again");
  }
  try {
    fchmodSync(fd, statSync(write.path).mode & 0o7777);
    writeFileSync(fd, data);
    // Durable before the rename, so a crash cannot leave an empty template behind.
    fsyncSync(fd);
  } catch (error) {
    removeQuietly(temp);
    throw new UserError(`cannot write ${write.label}: ${reason(error)}`, "nothing was changed; fix the cause and run the command again");
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Puts a replaced file's original content back; false when that failed too. */
function restore(write: PlannedWrite): boolean {
  try {
    renameSync(writeTemp(write, write.original), write.path);
    return true;
  } catch {
    return false;
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // The first error is the one to report; a temporary left behind is named by the next run.
  }
}

/** Node's own message, e.g. "EACCES: permission denied, access ..." (fs errors may come from another realm, so no `instanceof Error`). */
function reason(error: unknown): string {
  return (error as NodeJS.ErrnoException).message;
}
