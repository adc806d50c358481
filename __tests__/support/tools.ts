import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./config";

/** A tool installed by scripts/tools.sh (npm test runs it first); a clear error when missing. */
export function tool(name: "aws" | "moto_server" | "shellcheck"): string {
  const path = join(REPO_ROOT, ".venv", "test", "bin", name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/tools.sh`);
  return path;
}

/** A TCP port nothing listens on at the moment, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** moto's server on 127.0.0.1: the AWS API for tests, fresh state per instance. */
export interface MotoServer {
  readonly endpoint: string;
  /** Environment for an AWS client (SDK or CLI) talking to this server only. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  // AWS CLI v1 would fetch any parameter value that looks like a URL (v2, on the hosts, does not).
  const cliConfig = join(mkdtempSync(join(tmpdir(), "aws-cli-")), "config");
  writeFileSync(cliConfig, "[default]\ncli_follow_urlparam = false\n");
  const child: ChildProcess = spawn(tool("moto_server"), ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      if (attempt > 100) throw new Error(`moto did not start on ${endpoint}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_DEFAULT_REGION: "ap-northeast-1",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_CONFIG_FILE: cliConfig,
    },
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill();
      }),
  };
}

/** The AWS CLI (v1, from the test venv) against `moto`, in Tokyo, text output. */
export function awsCli(moto: MotoServer, ...args: string[]): string {
  return execFileSync(tool("aws"), ["--region", "ap-northeast-1", "--output", "text", ...args], {
    env: { ...process.env, ...moto.env },
    encoding: "utf8",
  });
}
