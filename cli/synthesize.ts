import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "./user-error";

/**
 * Synthesizes `configFile` into a temporary directory with the same program as `npm run synth`
 * (dist/main.js) and returns its `stacks/` directory, for commands that read the JSON.
 */
export function synthesizeConfig(configFile: string): string {
  const outdir = mkdtempSync(join(tmpdir(), "amplify-dify-vpc-"));
  const run = spawnSync(process.execPath, [join(__dirname, "..", "dist", "main.js")], {
    env: { ...process.env, CUSTOMER_CONFIG: configFile, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  if (run.status !== 0) throw new UserError(`${configFile} did not synthesize:\n${run.stderr.trim()}`, "fix the config, then run the command again");
  return join(outdir, "stacks");
}

/**
 * The stacks a reading command (cost, diagram) works on: `configFile` synthesized first, or an
 * earlier synth's `stacksDir`, which must exist.
 */
export function stacksToRead(options: { stacksDir: string; configFile?: string }): string {
  const stacksDir = options.configFile ? synthesizeConfig(options.configFile) : options.stacksDir;
  if (!existsSync(stacksDir)) {
    throw new UserError(`${stacksDir} does not exist`, "synthesize first (npm run synth), or pass --config customers/<customer>-<env>.yaml");
  }
  return stacksDir;
}
