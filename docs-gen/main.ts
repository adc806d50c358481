import "../stacks/cdktf-node-compat";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { loadConfig } from "../config/load";
import { buildStacks } from "../stacks/app";
import { configJsonSchema } from "./config-schema";
import { configReference } from "./config-reference";
import { architectureMarkdown } from "./diagram";

// `npm run docs`: regenerates the files generated from the code, which tests keep current:
// the editor schema, the config reference, and the architecture diagram of the example config.
const EXAMPLE = "customers/example.yaml";

const written: string[] = [];
const write = (file: string, text: string) => {
  writeFileSync(file, text);
  written.push(file);
};

write("schema/customer-config.schema.json", `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
write("docs/config-reference.md", configReference());
const app = new App({ outdir: mkdtempSync(join(tmpdir(), "amplify-dify-vpc-docs-")) });
buildStacks(app, loadConfig(EXAMPLE).config);
app.synth();
write("docs/architecture.md", architectureMarkdown(join(app.outdir, "stacks"), EXAMPLE));
process.stdout.write(`Wrote ${written.join(", ")}\n`);
