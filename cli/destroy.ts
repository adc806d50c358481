import { DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { OpsContext } from "./context";

export interface DestroyGuide {
  readonly steps: readonly string[];
  /** Snapshots of the data volume that the steps keep unless --delete-snapshots. */
  readonly snapshots: readonly string[];
  readonly kept: readonly string[];
}

/**
 * Runbook section 8, in the right order: the stacks in reverse (amplify, edge, dify, network),
 * each a `cdktf destroy`. The data volume, its snapshots and the state bucket outlive that
 * unless asked for explicitly, because they are what a mistaken teardown cannot recreate.
 */
export async function destroyGuide(
  ctx: OpsContext,
  options: { deleteSnapshots: boolean; includeState: boolean },
): Promise<DestroyGuide> {
  const { config, file } = ctx.loaded;
  const env = `CUSTOMER_CONFIG=${file}`;
  const snapshots = await new EC2Client({ region: ctx.region }).send(
    new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "tag:snapshot-of", Values: [ctx.names.dataVolumeTag] }] }),
  );
  const snapshotIds = (snapshots.Snapshots ?? []).map((s) => s.SnapshotId!);
  const steps: string[] = [];
  const kept: string[] = [];
  if (config.amplify.enabled) steps.push(`${env} npx cdktf destroy amplify`);
  steps.push(`${env} npx cdktf destroy edge`);
  if (config.dify.dataVolume.preventDestroy) {
    steps.push(
      `set dify.dataVolume.preventDestroy: false in ${file}, then ${env} npx cdktf deploy dify (only if Dify's data may go; otherwise stop here and keep the dify stack)`,
    );
  }
  if (config.dify.alb.deletionProtection) {
    steps.push(`set dify.alb.deletionProtection: false in ${file}, then ${env} npx cdktf deploy dify`);
  }
  steps.push(`${env} npx cdktf destroy dify`);
  steps.push(`${env} npx cdktf destroy network`);
  if (options.deleteSnapshots) {
    steps.push(...snapshotIds.map((id) => `aws ec2 delete-snapshot --region ${ctx.region} --snapshot-id ${id}`));
  } else {
    kept.push(`${snapshotIds.length} snapshot(s) of the data volume (${snapshotIds.join(", ") || "none yet"}): pass --delete-snapshots to list their deletion`);
  }
  if (options.includeState) {
    steps.push(
      `the state bucket ${ctx.deployment.stateBucket} and lock table ${ctx.deployment.lockTable} are protected (prevent_destroy, deletion protection): delete them by hand once no stack uses them: empty every object version of the bucket, delete it, disable the table's deletion protection, delete it`,
    );
  } else {
    kept.push(`state bucket ${ctx.deployment.stateBucket} and lock table ${ctx.deployment.lockTable}: pass --include-state to list their removal`);
  }
  kept.push(`Secrets Manager secret ${ctx.names.difySecret}: scheduled for deletion with a 30-day recovery window by destroy dify`);
  return { steps, snapshots: snapshotIds, kept };
}
