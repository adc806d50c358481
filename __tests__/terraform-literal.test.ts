import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIFY_MANAGED_KEYS } from "../config/dify-env-keys";
import { REPO_ROOT, exampleConfig } from "./support/config";
import { onlyResource as one, resourcesOf, synthJson } from "./support/synth";

// What Terraform itself makes of the synthesized JSON, for config values written to look like
// Terraform code: the real terraform binary renders them (outputs of a configuration without any
// provider, so no download is needed). Every expected value is the input as typed.

const HOSTILE = [
  '${file("/etc/passwd")}',
  "%{ if true }yes%{ endif }",
  "$${HOME}",
  "$$${x}",
  "${",
  "%{",
  "$",
  "%",
  "${}",
  "%%{",
  "a${b}c%{d}e${",
  '"${upper("x")}"',
  "\\${path.module}",
  "東京 ${local.x} %{for x in y}${x}%{endfor}",
  "$ {not a template} % {nor this}",
];

/** Keys of Dify's .env that the config may set (not managed by the project), one per hostile value. */
const ENV_KEYS = readFileSync(join(REPO_ROOT, "config", "dify-keys", "1.16.1.txt"), "utf8")
  .split("\n")
  .filter((key) => /^[A-Z]/.test(key) && !DIFY_MANAGED_KEYS.has(key))
  .slice(0, HOSTILE.length);

/** Renders each JSON value as Terraform would: `{name: value}` -> `{name: rendered string}`. */
function terraformRenders(values: Record<string, unknown>): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "terraform-literal-"));
  const output = Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));
  writeFileSync(join(dir, "main.tf.json"), JSON.stringify({ output }));
  const env = { ...process.env, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: join(dir, "none.tfrc") };
  writeFileSync(join(dir, "none.tfrc"), "");
  for (const args of [["init", "-input=false"], ["apply", "-input=false", "-auto-approve"]]) {
    const run = spawnSync("terraform", args, { cwd: dir, env, encoding: "utf8" });
    if (run.error) throw new Error(`terraform is needed for this test (Terraform >= 1.11 on PATH): ${run.error.message}`);
    if (run.status !== 0) throw new Error(`terraform ${args[0]} failed:\n${run.stdout}${run.stderr}`);
  }
  const shown = spawnSync("terraform", ["output", "-json"], { cwd: dir, env, encoding: "utf8" });
  return Object.fromEntries(Object.entries(JSON.parse(shown.stdout)).map(([name, out]: [string, any]) => [name, out.value]));
}

describe("config values reach AWS as typed, never as Terraform code", () => {
  test("the corpus has a Dify key for every value", () => {
    expect(ENV_KEYS).toHaveLength(HOSTILE.length);
  });

  // amplify.appSyncUrl is an https URL with no room for `$` or `%` (config-hostile.test.ts).
  test("dify.env, amplify.environmentVariables and amplify.buildSpec render literally", () => {
    const stacks = synthJson(
      exampleConfig((d) => {
        d.dify.env = Object.fromEntries(ENV_KEYS.map((key, i) => [key, HOSTILE[i]]));
        d.amplify.environmentVariables = Object.fromEntries(HOSTILE.map((value, i) => [`HOSTILE_${i}`, value]));
        d.amplify.buildSpec = HOSTILE.join("\n");
      }),
    );
    const parameters = Object.fromEntries(resourcesOf(stacks.dify!, "aws_ssm_parameter").map((p) => [p.name, p.value]));
    const branch = one(stacks.amplify!, "aws_amplify_branch");
    const synthesized: Record<string, unknown> = {
      ...Object.fromEntries(ENV_KEYS.map((key, i) => [`dify_env_${i}`, parameters[`/example-prod/dify/env/${key}`]])),
      ...Object.fromEntries(HOSTILE.map((_, i) => [`amplify_env_${i}`, branch.environment_variables[`HOSTILE_${i}`]])),
      build_spec: one(stacks.amplify!, "aws_amplify_app").build_spec,
    };
    expect(terraformRenders(synthesized)).toEqual({
      ...Object.fromEntries(HOSTILE.map((value, i) => [`dify_env_${i}`, value])),
      ...Object.fromEntries(HOSTILE.map((value, i) => [`amplify_env_${i}`, value])),
      build_spec: HOSTILE.join("\n"),
    });
  });

  test("the check can fail: the same values unescaped are evaluated by Terraform", () => {
    const rendered = terraformRenders({ raw: '${upper("x")} %{ if true }yes%{ endif }', escaped: "$${HOME}" });
    expect(rendered).toEqual({ raw: "X yes", escaped: "${HOME}" });
  });
});
