import { CreateSnapshotCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetParameterCommand, ParameterNotFound, SSMClient } from "@aws-sdk/client-ssm";
import { DIFY_RELEASES } from "../config/dify-releases";
import type { OpsContext } from "./context";
import { findDifyInstance, keyValues, runOnInstance } from "./dify-instance";
import type { Io } from "./io";
import { UserError } from "./user-error";

export interface UpgradePlan {
  readonly to: string;
  readonly commit: string;
  /** What the host runs now, from `difyctl status` (unknown when it did not answer). */
  readonly running: string;
  readonly instanceId: string;
  readonly dataVolumeId: string;
  readonly steps: readonly string[];
}

export interface UpgradeOutcome {
  /** upgraded | unchanged | rolled-back | broken | failed */
  readonly result: string;
  readonly snapshotId?: string;
  readonly detail: string;
}

/** A parameter the dify stack publishes; missing means that stack is not deployed there. */
async function parameter(ctx: OpsContext, name: string): Promise<string> {
  const path = `${ctx.names.difyParameterPath}/${name}`;
  try {
    const result = await new SSMClient({ region: ctx.region }).send(new GetParameterCommand({ Name: path }));
    return result.Parameter!.Value!;
  } catch (error) {
    if (!(error instanceof ParameterNotFound)) throw error;
    throw new UserError(
      `${path} is not in Parameter Store (${ctx.region})`,
      "deploy the dify stack first (cdktf deploy dify), and check that --config names this account's environment",
    );
  }
}

/**
 * Checks that config, Terraform and the host agree on the target before anything changes: the
 * config's dify.version is the target, the dify stack has been applied since (its release
 * parameter says so), and the release is one this project verified. This is what keeps the
 * config and the running version from drifting: an upgrade can only go where the config went.
 */
export async function planUpgrade(ctx: OpsContext, to: string): Promise<UpgradePlan> {
  const release = DIFY_RELEASES[to];
  if (!release) {
    throw new UserError(`${to} is not a verified Dify release`, `use one of ${Object.keys(DIFY_RELEASES).join(", ")} (config/dify-releases.ts)`);
  }
  const configured = ctx.loaded.config.dify.version;
  if (configured !== to) {
    throw new UserError(
      `${ctx.loaded.file} says dify.version ${configured}, not ${to}`,
      `set dify.version: "${to}" there and apply the dify stack first, so the config, Parameter Store and the host agree`,
    );
  }
  const applied = JSON.parse(await parameter(ctx, "release")) as { version: string; commit: string };
  if (applied.version !== to) {
    throw new UserError(
      `the dify stack still publishes ${applied.version} (${ctx.names.difyParameterPath}/release)`,
      "apply the dify stack (cdktf deploy dify / terraform apply) so the new dify.version reaches Parameter Store",
    );
  }
  const instance = await findDifyInstance(ctx);
  const dataVolumeId = await parameter(ctx, "data-volume-id");
  const status = await runOnInstance(ctx, instance.id, "/usr/local/sbin/difyctl status", { timeoutSeconds: 60, pollMs: 1000 });
  const running = keyValues(status.stdout).running ?? "unknown";
  return {
    to,
    commit: release.commit,
    running,
    instanceId: instance.id,
    dataVolumeId,
    steps: [
      `snapshot data volume ${dataVolumeId} (kept until you delete it)`,
      `on ${instance.id}: difyctl upgrade ${to} ${release.commit}`,
      "  fetch the tag, refuse it unless it points to the verified commit",
      "  re-render .env from the new .env.example with the same parameters and secret",
      "  docker compose pull, up, wait until /console/api/ping answers",
      `  on any failure: check out ${running} again and restart it`,
    ],
  };
}

/** Snapshot first, then the upgrade on the host through Run Command; the host rolls back itself. */
export async function runUpgrade(ctx: OpsContext, plan: UpgradePlan, io: Io, pollMs = 5000): Promise<UpgradeOutcome> {
  if (plan.running === plan.to) return { result: "unchanged", detail: `Dify ${plan.to} is already running` };
  const snapshot = await new EC2Client({ region: ctx.region }).send(
    new CreateSnapshotCommand({
      VolumeId: plan.dataVolumeId,
      Description: `Dify data before upgrading ${plan.running} -> ${plan.to}`,
      TagSpecifications: [{ ResourceType: "snapshot", Tags: [{ Key: "Name", Value: `${ctx.names.difyHost}-before-${plan.to}` }, { Key: "dify-upgrade", Value: `${plan.running}->${plan.to}` }] }],
    }),
  );
  const progress = io.progress(`upgrading Dify ${plan.running} -> ${plan.to} on ${plan.instanceId}`);
  const run = await runOnInstance(ctx, plan.instanceId, `/usr/local/sbin/difyctl upgrade ${plan.to} ${plan.commit}`, {
    timeoutSeconds: 3600,
    pollMs,
    onWait: (seconds) => progress.update(`upgrading Dify ${plan.running} -> ${plan.to}: ${seconds} s`),
  });
  const result = keyValues(run.stdout).result ?? (run.status === "Success" ? "upgraded" : "failed");
  const outcome = {
    result,
    snapshotId: snapshot.SnapshotId,
    detail:
      result === "upgraded"
        ? `Dify ${plan.to} is running`
        : result === "rolled-back"
          ? `the upgrade failed; Dify ${plan.running} is running again. Host log: /var/log/dify/difyctl.log`
          : `the upgrade failed (${run.status}) and Dify may be down: restore snapshot ${snapshot.SnapshotId} to a volume and attach it, or retry. ${run.stderr.trim().split("\n").slice(-1)[0] ?? ""}`,
  };
  (result === "upgraded" ? progress.done : progress.failed)(outcome.detail);
  return outcome;
}
