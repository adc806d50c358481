import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "../../__tests__/support/config";

/**
 * What the host reaches outside itself, on this machine's loopback: the package mirror and the
 * GitHub release download (one HTTP server), GitHub's git (git daemon), and AWS (moto, started by
 * the test). The mirror and git can be taken down and brought back, to play a late dependency.
 */

/** The fake Compose plugin the host downloads instead of the real one (host-vm/fakes). */
export const FAKE_COMPOSE = readFileSync(join(REPO_ROOT, "host-vm", "fakes", "docker-compose"));
export const FAKE_COMPOSE_SHA256 = createHash("sha256").update(FAKE_COMPOSE).digest("hex");

/** HTTP on loopback: the AL2023 package mirror (`/al2023/...`) and GitHub's release downloads (`/compose/...`). */
export class FakeInternet {
  mirrorUp = true;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<FakeInternet> {
    let self: FakeInternet;
    const server = createServer((request, response) => {
      const url = request.url ?? "";
      if (url === "/al2023/repodata/repomd.xml" && self.mirrorUp) {
        response.end("<repomd/>\n");
      } else if (/^\/compose\/v[0-9.]+\/docker-compose-linux-x86_64$/.test(url)) {
        response.end(FAKE_COMPOSE);
      } else {
        response.statusCode = url.startsWith("/al2023/") || url.startsWith("/compose/") ? 503 : 404;
        response.end();
      }
    });
    self = new FakeInternet(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return self;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function git(cwd: string, ...args: string[]): string {
  const run = spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "vmtest", GIT_AUTHOR_EMAIL: "vmtest@example.invalid", GIT_COMMITTER_NAME: "vmtest", GIT_COMMITTER_EMAIL: "vmtest@example.invalid" },
  });
  if (run.status !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr}`);
  return run.stdout.trim();
}

/** One tagged release of the fake Dify repository: the files of its `docker/` folder. */
export interface FakeRelease {
  readonly tag: string;
  readonly files: Readonly<Record<string, string>>;
}

/**
 * GitHub's langgenius/dify as a bare repository under `root`, served by `git daemon` (git's own
 * server, with partial clone allowed as GitHub allows it) at git://127.0.0.1:port/langgenius/dify.git.
 * Returns the commit of each tag.
 */
export class FakeGitHub {
  private daemon: ChildProcess | undefined;
  readonly commits: Record<string, string> = {};
  constructor(private readonly root: string, readonly port: number) {}

  publish(releases: readonly FakeRelease[]): void {
    const work = join(this.root, "work");
    const bare = join(this.root, "langgenius", "dify.git");
    mkdirSync(work, { recursive: true });
    git(work, "init", "-q", "-b", "main");
    for (const release of releases) {
      for (const [path, text] of Object.entries(release.files)) {
        mkdirSync(join(work, path, ".."), { recursive: true });
        writeFileSync(join(work, path), text);
      }
      git(work, "add", "-A");
      git(work, "commit", "-q", "-m", `release ${release.tag}`);
      git(work, "tag", release.tag);
      this.commits[release.tag] = git(work, "rev-parse", "HEAD");
    }
    git(this.root, "clone", "-q", "--bare", work, bare);
    git(bare, "config", "uploadpack.allowFilter", "true");
  }

  up(): void {
    if (this.daemon) return;
    this.daemon = spawn("git", ["daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", `--port=${this.port}`, `--base-path=${this.root}`, this.root], { stdio: "ignore" });
  }

  async down(): Promise<void> {
    const daemon = this.daemon;
    if (!daemon) return;
    this.daemon = undefined;
    await new Promise<void>((resolve) => {
      daemon.once("exit", () => resolve());
      daemon.kill();
    });
  }
}
