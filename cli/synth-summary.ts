import { readFileSync } from "node:fs";
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

/** The few lines `npm run synth` prints: what was built from which file, and what to review. */
export function formatSummary(loaded: LoadedConfig, outdir: string, stacks: readonly StackSummary[]): string {
  const { config } = loaded;
  const width = Math.max(...stacks.map((s) => s.stack.length));
  const lines = [
    `Synthesized ${loaded.file} (${config.customer}-${config.environment}, account ${config.aws.accountId}, ${config.aws.region}) into ${join(outdir, "stacks")}:`,
    ...stacks.map(
      (s) =>
        `  ${s.stack.padEnd(width)}  ${String(s.resources).padStart(3)} resources  ${String(s.dataSources).padStart(2)} data sources  ${String(s.outputs).padStart(2)} outputs`,
    ),
  ];
  lines.push(
    loaded.warnings.length === 0
      ? "No warnings."
      : [`${loaded.warnings.length} warning(s):`, ...loaded.warnings.map((w) => `  - ${w}`)].join("\n"),
  );
  return lines.join("\n");
}
