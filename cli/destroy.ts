import { DescribeSnapshotsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { awsProblem, type AwsProblem } from "./aws-errors";
import type { OpsContext } from "./context";
import { shellLine } from "./shell";

export interface DestroyGuide {
  readonly steps: readonly string[];
  /** Snapshots of the data volume that the steps keep unless --delete-snapshots; null when they could not be listed. */
  readonly snapshots: readonly string[] | null;
  /** Why the snapshots could not be listed; the steps then list them with the AWS CLI. */
  readonly snapshotsUnread?: AwsProblem;
  readonly kept: readonly string[];
}

/**
 * Runbook section 8, in the right order: the stacks in reverse (amplify, edge, dify, network),
 * each a `cdktf destroy`. The data volume, its snapshots and the state bucket outlive that
 * unless asked for explicitly, because they are what a mistaken teardown cannot recreate.
 * Only the snapshot IDs come from AWS: when it cannot be asked (not signed in, offline), the
 * guide is printed all the same, with the AWS CLI command that lists them in their place.
 */
export async function destroyGuide(
  ctx: OpsContext,
  options: { deleteSnapshots: boolean; includeState: boolean },
): Promise<DestroyGuide> {
  const { config, file } = ctx.loaded;
  const env = `CUSTOMER_CONFIG=${file}`;
  const listed = await dataVolumeSnapshots(ctx);
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
  const snapshots = snapshotLines(ctx, listed, options.deleteSnapshots);
  steps.push(...snapshots.steps);
  kept.push(...snapshots.kept);
  if (options.includeState) {
    steps.push(
      `the state bucket ${ctx.deployment.stateBucket} and lock table ${ctx.deployment.lockTable} are protected (prevent_destroy, deletion protection): delete them by hand once no stack uses them: empty every object version of the bucket, delete it, disable the table's deletion protection, delete it`,
    );
  } else {
    kept.push(`state bucket ${ctx.deployment.stateBucket} and lock table ${ctx.deployment.lockTable}: pass --include-state to list their removal`);
  }
  kept.push(`Secrets Manager secret ${ctx.names.difySecret}: scheduled for deletion with a 30-day recovery window by destroy dify`);
  return "ids" in listed ? { steps, snapshots: listed.ids, kept } : { steps, snapshots: null, snapshotsUnread: listed.problem, kept };
}

/** Deleting the snapshots is a step when asked for, otherwise they are kept; by ID, or by a lookup when they could not be listed. */
function snapshotLines(ctx: OpsContext, listed: Listed, deleteSnapshots: boolean): { steps: string[]; kept: string[] } {
  const remove = (id: string) => `aws ec2 delete-snapshot --region ${ctx.region} --snapshot-id ${id}`;
  if ("ids" in listed) {
    return deleteSnapshots
      ? { steps: listed.ids.map(remove), kept: [] }
      : { steps: [], kept: [`${listed.ids.length} snapshot(s) of the data volume (${listed.ids.join(", ") || "none yet"}): pass --delete-snapshots to list their deletion`] };
  }
  const list = shellLine([
    "aws", "ec2", "describe-snapshots", "--region", ctx.region, "--owner-ids", "self",
    "--filters", `Name=tag:snapshot-of,Values=${ctx.names.dataVolumeTag}`, "--query", "Snapshots[].SnapshotId", "--output", "text",
  ]);
  return deleteSnapshots
    ? { steps: [`delete the data volume's snapshots (not listed here: AWS could not be asked): for id in $(${list}); do ${remove('"$id"')}; done`], kept: [] }
    : { steps: [], kept: [`the data volume's snapshots (not listed here: AWS could not be asked; ${list} lists them): pass --delete-snapshots to list their deletion`] };
}

type Listed = { ids: string[] } | { problem: AwsProblem };

/** The data volume's snapshot IDs, or why AWS could not be asked for them. */
async function dataVolumeSnapshots(ctx: OpsContext): Promise<Listed> {
  try {
    const result = await new EC2Client({ region: ctx.region }).send(
      new DescribeSnapshotsCommand({ OwnerIds: ["self"], Filters: [{ Name: "tag:snapshot-of", Values: [ctx.names.dataVolumeTag] }] }),
    );
    return { ids: (result.Snapshots ?? []).map((s) => s.SnapshotId!) };
  } catch (error) {
    const problem = awsProblem(error);
    if (!problem) throw error;
    return { problem };
  }
}
