import { EXIT } from "./exit";
import type { Io } from "./io";

/** One line of a doctor or verify report. */
export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  /** What was found. */
  readonly detail: string;
  /** How to fix it, when it failed. */
  readonly fix?: string;
}

export const pass = (check: string, detail: string): CheckResult => ({ check, ok: true, detail });
export const fail = (check: string, detail: string, fix: string): CheckResult => ({ check, ok: false, detail, fix });

/** Prints the results as a table (or JSON) and returns the exit code: 1 when any failed. */
export function report(io: Io, results: readonly CheckResult[], json: boolean): number {
  const failed = results.filter((r) => !r.ok).length;
  if (json) {
    io.out(`${JSON.stringify({ ok: failed === 0, checks: results }, null, 2)}\n`);
  } else {
    const width = Math.max(...results.map((r) => r.check.length));
    for (const r of results) {
      io.out(`${r.ok ? "PASS" : "FAIL"}  ${r.check.padEnd(width)}  ${r.detail}\n`);
      if (!r.ok && r.fix) io.out(`      ${"".padEnd(width)}  fix: ${r.fix}\n`);
    }
    io.out(failed === 0 ? `\nAll ${results.length} checks passed.\n` : `\n${failed} of ${results.length} checks failed.\n`);
  }
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
