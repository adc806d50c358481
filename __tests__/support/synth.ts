import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import type { CustomerConfig } from "../../config/schema";
import { buildStacks } from "../../stacks/app";
import { exampleConfig } from "./config";

/** Terraform JSON of one stack, parsed. */
export type StackJson = {
  terraform?: any;
  provider?: Record<string, any[]>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  output?: Record<string, any>;
};

/**
 * Synthesizes every stack of `config` the way `npm run synth` does (a whole app, so references
 * between stacks become terraform_remote_state) and returns each `stacks/<name>/cdk.tf.json` as
 * text, the form cdktf's matchers take: what Terraform and checkov will see.
 */
export function synthAll(config: CustomerConfig = exampleConfig()): Record<string, string> {
  const stacksDir = synthStacksDir(config);
  return Object.fromEntries(readdirSync(stacksDir).map((name) => [name, readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")]));
}

/** Synthesizes `config` into a fresh directory and returns its `stacks/` directory. */
export function synthStacksDir(config: CustomerConfig): string {
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-out-"));
  const app = Testing.app({ outdir });
  buildStacks(app, config);
  app.synth();
  return join(outdir, "stacks");
}

/** Parsed JSON of each stack, by stack name. */
export function synthJson(config?: CustomerConfig): Record<string, StackJson> {
  return Object.fromEntries(Object.entries(synthAll(config)).map(([name, text]) => [name, JSON.parse(text)]));
}

/** The resources of `type` in a stack, as a list of their bodies. */
export function resourcesOf(stack: StackJson, type: string): any[] {
  return Object.values(stack.resource?.[type] ?? {});
}

/** The resource a `${type.name.attribute}` reference points to, within one stack. */
export function referenced(stack: StackJson, expression: string): { type: string; name: string; body: any } {
  const match = /^\$\{([a-z0-9_]+)\.([^.]+)\.[a-z_]+\}$/.exec(expression);
  if (!match) throw new Error(`not a plain resource reference: ${expression}`);
  const [, type, name] = match as unknown as [string, string, string];
  const body = stack.resource?.[type]?.[name];
  if (!body) throw new Error(`${expression} points to no resource of this stack`);
  return { type, name, body };
}

/** The single resource of `type` in a stack; fails the test when there is not exactly one. */
export function onlyResource(stack: StackJson, type: string): any {
  const all = resourcesOf(stack, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}
