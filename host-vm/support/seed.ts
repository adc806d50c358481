import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A NoCloud seed: a vfat disk labelled CIDATA holding `user-data` (the bytes EC2 would serve from
 * instance metadata) and `meta-data` (the instance ID: a new one is a new instance to cloud-init,
 * which then runs the user data again). Built without mounting anything (mtools).
 */
export function writeSeed(path: string, userData: Buffer, instanceId: string): void {
  const userDataFile = `${path}.user-data`;
  const metaDataFile = `${path}.meta-data`;
  writeFileSync(userDataFile, userData);
  writeFileSync(metaDataFile, `instance-id: ${instanceId}\nlocal-hostname: ${instanceId}\n`);
  for (const [command, args] of [
    ["mkfs.vfat", ["-n", "CIDATA", "-C", path, "2048"]],
    ["mcopy", ["-i", path, userDataFile, "::user-data"]],
    ["mcopy", ["-i", path, metaDataFile, "::meta-data"]],
  ] as const) {
    const run = spawnSync(command, args, { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${command} failed: ${run.stderr}`);
  }
}

/** A new, empty EBS volume: a sparse raw file, all zeros, as EC2 creates one. */
export function newVolumeFile(dir: string, name: string, gib = 1): string {
  const path = join(dir, `${name}.img`);
  const run = spawnSync("truncate", ["-s", `${gib}G`, path]);
  if (run.status !== 0) throw new Error(`truncate failed: ${run.stderr}`);
  return path;
}
