/**
 * Exit codes scripts can rely on (the CLI's; synth exits 1 for any config it cannot use):
 *
 * - 0 `ok`: done; for doctor and verify, every check passed.
 * - 1 `failed`: a check or the operation failed; the report says which.
 * - 2 `usage`: a usage, input or config mistake; fix the command line or the customer file.
 * - 3 `awsAccess`: AWS refused who you are: no, expired or invalid credentials, access
 *   denied, a region not enabled for the account. Signing in (again) or a permission fixes it.
 * - 4 `awsUnavailable`: AWS could not be reached or did not serve the request: network, DNS,
 *   timeout, throttling, a 5xx after the SDK's retries. Running it again later may work.
 * - 70 `internal`: a bug (EX_SOFTWARE of sysexits.h); AMPLIFY_DIFY_VPC_DEBUG=1 shows the trace.
 *
 * Every failure prints an `error:` line and a `fix:` line on stderr or, with `--json`, one
 * document `{"ok": false, "error": {"kind", "message", "fix"}}` on stdout; never a stack trace.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, awsAccess: 3, awsUnavailable: 4, internal: 70 } as const;

/**
 * Ends the process with `code` once stdout and stderr have handed all their output to the OS.
 * `process.exit` right after a write to a pipe drops what the pipe could not take yet (a slow
 * reader, `| grep`); the callback of a last, empty write runs only after every earlier one.
 * The process still exits then, rather than when the event loop empties, because a spinner or
 * an SDK socket may keep the loop alive. A reader that went away (`| head`) fails the write
 * with EPIPE: the process exits in that callback, before Node raises it as an uncaught error.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const flushed = (error?: Error | null) => {
    if (error || --pending === 0) process.exit(code);
  };
  process.stdout.write("", flushed);
  process.stderr.write("", flushed);
}
