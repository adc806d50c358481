import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { customerConfigSchema, type CustomerConfig } from "../../config/schema";

export const REPO_ROOT = join(__dirname, "..", "..");
export const EXAMPLE_FILE = join(REPO_ROOT, "customers", "example.yaml");

/** The example customer file as plain data, for tests that change one key of it. */
export function exampleData(): Record<string, any> {
  return parse(readFileSync(EXAMPLE_FILE, "utf8"));
}

/** The example config with `change` applied to its raw data, validated like a file would be. */
export function exampleConfig(change: (data: Record<string, any>) => void = () => {}): CustomerConfig {
  const data = exampleData();
  change(data);
  return customerConfigSchema.parse(data);
}
