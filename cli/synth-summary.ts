import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { LoadedConfig } from "../config/load";

/** Counts of one synthesized stack, read back from its `cdk.tf.json`. */
export interface StackSummary {
  readonly stack: string;
  readonly resources: number;
  readonly dataSources: number;
  readonly outputs: number;
}

type TerraformJson = {
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
  output?: Record<string, unknown>;
};

const countBlocks = (blocks: TerraformJson["resource"]) =>
  Object.values(blocks ?? {}).reduce((sum, byName) => sum + Object.keys(byName).length, 0);

/** Reads `<outdir>/stacks/<stack>/cdk.tf.json` of each stack and counts what it declares. */
export function summarizeStacks(outdir: string, stacks: readonly string[]): StackSummary[] {
  return stacks.map((stack) => {
    const json = JSON.parse(readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8")) as TerraformJson;
    return {
      stack,
      resources: countBlocks(json.resource),
      dataSources: countBlocks(json.data),
      outputs: Object.keys(json.output ?? {}).length,
    };
  });
}

/** What happened to the stack directories of an earlier synth that this one no longer produces. */
export interface StaleStacks {
  /** Directories removed, as `<outdir>/stacks/<name>`. */
  readonly removed: readonly string[];
  /** Directories left in place because they hold Terraform state files, with those files. */
  readonly kept: readonly { readonly dir: string; readonly stateFiles: readonly string[] }[];
}

/**
 * Removes the stack directories under `<outdir>/stacks` that this synth did not produce, such as
 * `amplify` after `amplify.enabled` became false, so that nothing plans or applies a stack the
 * config no longer has. Only a real directory (not a symlink) holding `cdk.tf.json` counts as a
 * stack directory; anything else is never touched. One holding a `*.tfstate*` file (a local
 * state someone wrote there) is kept and reported instead.
 */
export function removeStaleStacks(outdir: string, stacks: readonly string[]): StaleStacks {
  const root = join(outdir, "stacks");
  const removed: string[] = [];
  const kept: { dir: string; stateFiles: string[] }[] = [];
  if (!existsSync(root)) return { removed, kept };
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (stacks.includes(name) || !lstatSync(dir).isDirectory()) continue;
    const stackFile = join(dir, "cdk.tf.json");
    if (!existsSync(stackFile) || !lstatSync(stackFile).isFile()) continue;
    const stateFiles = readdirSync(dir).filter((file) => /\.tfstate(\.|$)/.test(file)).sort();
    if (stateFiles.length > 0) {
      kept.push({ dir, stateFiles });
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return { removed, kept };
}

/** The few lines `npm run synth` prints: what was built from which file, and what to review. */
export function formatSummary(
  loaded: LoadedConfig,
  outdir: string,
  stacks: readonly StackSummary[],
  stale: StaleStacks = { removed: [], kept: [] },
): string {
  const { config } = loaded;
  const width = Math.max(...stacks.map((s) => s.stack.length));
  const lines = [
    `Synthesized ${loaded.file} (${config.customer}-${config.environment}, account ${config.aws.accountId}, ${config.aws.region}) into ${join(outdir, "stacks")}:`,
    ...stacks.map(
      (s) =>
        `  ${s.stack.padEnd(width)}  ${String(s.resources).padStart(3)} resources  ${String(s.dataSources).padStart(2)} data sources  ${String(s.outputs).padStart(2)} outputs`,
    ),
    ...stale.removed.map((dir) => `Removed stale stack directory ${dir} (the config no longer has this stack).`),
    ...stale.kept.map(
      ({ dir, stateFiles }) =>
        `Kept stale stack directory ${dir}: the config no longer has this stack, but the directory holds Terraform state (${stateFiles.join(", ")}); delete it yourself once that state is not needed.`,
    ),
  ];
  lines.push(
    loaded.warnings.length === 0
      ? "No warnings."
      : [`${loaded.warnings.length} warning(s):`, ...loaded.warnings.map((w) => `  - ${w}`)].join("\n"),
  );
  return lines.join("\n");
}
