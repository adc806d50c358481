import "./stacks/cdktf-node-compat";
import { App } from "cdktf";
import { customerConfigFile } from "./cli/config-file";
import { EXIT, exitWhenFlushed } from "./cli/exit";
import { reportFailure } from "./cli/failure";
import { processIo } from "./cli/io";
import { formatSummary, removeStaleStacks, summarizeStacks } from "./cli/synth-summary";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./config/load";
import { buildStacks } from "./stacks/app";

/**
 * Synthesizes one customer environment: CUSTOMER_CONFIG names its file (unset: the example).
 * An invalid file is reported in full and nothing is written (exit 1, as README says); any
 * other error is an internal one, reported in one line without its stack trace. Stack
 * directories of an earlier synth that this config no longer produces are removed (and named).
 */
function synthesize(): number {
  const io = processIo(false);
  try {
    const loaded = loadConfig(customerConfigFile(undefined, DEFAULT_CONFIG_FILE));
    const app = new App();
    const stacks = buildStacks(app, loaded.config);
    app.synth();
    const names = Object.values(stacks).flatMap((stack) => (stack ? [stack.stackName] : []));
    const stale = removeStaleStacks(app.outdir, names);
    io.out(`${formatSummary(loaded, app.outdir, summarizeStacks(app.outdir, names), stale)}\n`);
    return EXIT.ok;
  } catch (error) {
    const failure = reportFailure(io, error, false);
    return failure.kind === "internal" ? failure.exit : EXIT.failed;
  }
}

exitWhenFlushed(synthesize());
