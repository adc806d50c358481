import { spawn } from "node:child_process";
import { REPO_ROOT } from "./config";

/**
 * Runs `command` with its stdout and stderr through pipes. With `holdMs`, nothing is read
 * until the process has exited or that long has passed, as a busy `| grep` would: a process
 * that exits before its output drained loses what the pipes could not hold, and one that
 * waits for them is read after `holdMs`. Asynchronous, so that servers in this process answer.
 */
export async function runProcess(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  holdMs = 0,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { env, cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
  if (holdMs > 0) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => child.once("exit", resolve)), new Promise((resolve) => (timer = setTimeout(resolve, holdMs)))]);
    clearTimeout(timer);
  }
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  return { status: await closed, stdout, stderr };
}
