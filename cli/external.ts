import { spawnSync } from "node:child_process";

/** Where the local programs the operations need are installed from. */
export const INSTALL_DOCS = {
  awsCli: "https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html",
  sessionManagerPlugin: "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html",
} as const;

/** Output of a local program, or undefined when it is not installed. */
export function programOutput(command: string, args: readonly string[]): { status: number; output: string } | undefined {
  // The environment as this module sees it (PATH included), which is the process's own outside tests.
  const run = spawnSync(command, args, { encoding: "utf8", env: process.env });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return undefined;
  return { status: run.status ?? 1, output: `${run.stdout ?? ""}${run.stderr ?? ""}` };
}

/** `a.b.c` >= `x.y.z`, numerically. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i]!;
  }
  return true;
}
