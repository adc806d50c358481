import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { AWS_REGIONS, EC2_INSTANCE_TYPES } from "../config/aws-lists";
import { REPO_ROOT } from "./support/config";

describe("AWS name lists", () => {
  test("are what the pinned AWS SDK knows (regenerate with node scripts/aws-lists.js)", () => {
    // Exits non-zero, naming the stale file, when an SDK upgrade changed a list.
    execFileSync(process.execPath, [join(REPO_ROOT, "scripts", "aws-lists.js"), "--check"], { stdio: "pipe" });
  });

  test("hold the names this project deploys with, and no pseudo-regions", () => {
    expect(AWS_REGIONS.has("ap-northeast-1")).toBe(true);
    expect(AWS_REGIONS.has("us-east-1")).toBe(true);
    expect(AWS_REGIONS.has("aws-global")).toBe(false);
    expect(AWS_REGIONS.has("cn-north-1")).toBe(false);
    expect(["t3.large", "t4g.large", "m7g.large", "m7i.xlarge"].filter((t) => !EC2_INSTANCE_TYPES.has(t))).toEqual([]);
  });
});
