import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { run } from "../../cli/index";
import { bufferIo } from "../../cli/io";
import { exampleData, REPO_ROOT } from "./config";

/** The operations CLI run in this process, with its output collected. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await run(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** A customer file in a fresh folder: the example with `change` applied. */
export function customerFile(change: (data: Record<string, any>) => void = () => {}): string {
  const data = exampleData();
  change(data);
  const file = join(mkdtempSync(join(tmpdir(), "customer-")), "customer.yaml");
  writeFileSync(file, stringify(data));
  return file;
}

/** A folder of stand-ins for local programs (the AWS CLI, the plugin), each printing `output`. */
export function stubPrograms(programs: Record<string, string>): string {
  const bin = mkdtempSync(join(tmpdir(), "bin-"));
  for (const [name, output] of Object.entries(programs)) {
    writeFileSync(join(bin, name), `#!/bin/sh\ncat <<'EOF'\n${output}\nEOF\n`, { mode: 0o755 });
  }
  return bin;
}

/** bin/amplify-dify-vpc.js, the command a user runs. */
export const CLI_BIN = join(REPO_ROOT, "bin", "amplify-dify-vpc.js");
