import { App } from "cdktf";
import { formatSummary, summarizeStacks } from "./cli/synth-summary";
import { ConfigError } from "./config/issues";
import { DEFAULT_CONFIG_FILE, loadConfig, type LoadedConfig } from "./config/load";
import { buildStacks } from "./stacks/app";

// Synthesizes one customer environment: CUSTOMER_CONFIG names its file (default: the example).
// An invalid file is reported in full and nothing is written.
function load(): LoadedConfig {
  try {
    return loadConfig(process.env.CUSTOMER_CONFIG || DEFAULT_CONFIG_FILE);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

const loaded = load();
const app = new App();
const stacks = buildStacks(app, loaded.config);
app.synth();
const summary = summarizeStacks(
  app.outdir,
  Object.values(stacks).flatMap((stack) => (stack ? [stack.stackName] : [])),
);
process.stdout.write(`${formatSummary(loaded, app.outdir, summary)}\n`);
