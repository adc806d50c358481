import { DlmLifecyclePolicy } from "@cdktf/provider-aws/lib/dlm-lifecycle-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { serviceTrustPolicy } from "./iam-policy";

export interface VolumeSnapshotsProps {
  /** Prefix of names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly accountId: string;
  /** Volumes carrying this tag are snapshotted. */
  readonly targetTag: { readonly key: string; readonly value: string };
  /** Snapshots kept (one a day). */
  readonly retainCount: number;
  /** Time of day (UTC, HH:MM) the daily snapshot starts. */
  readonly timeUtc: string;
}

/**
 * Daily EBS snapshots of the tagged volumes by Data Lifecycle Manager, the newest
 * `retainCount` kept. Snapshots outlive the volume and the stack: `terraform destroy` removes
 * the policy, not what it made.
 */
export class VolumeSnapshots extends Construct {
  readonly policy: DlmLifecyclePolicy;

  constructor(scope: Construct, id: string, props: VolumeSnapshotsProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: `${props.namePrefix}-dlm`,
      assumeRolePolicy: serviceTrustPolicy("dlm.amazonaws.com", props.accountId),
    });
    new IamRolePolicyAttachment(this, "role-policy", {
      role: role.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole",
    });
    this.policy = new DlmLifecyclePolicy(this, "policy", {
      description: `${props.namePrefix} Dify data volume daily snapshots`,
      executionRoleArn: role.arn,
      state: "ENABLED",
      policyDetails: {
        resourceTypes: ["VOLUME"],
        targetTags: { [props.targetTag.key]: props.targetTag.value },
        schedule: [
          {
            name: `daily-${props.retainCount}`,
            createRule: { interval: 24, intervalUnit: "HOURS", times: [props.timeUtc] },
            retainRule: { count: props.retainCount },
            copyTags: true,
            tagsToAdd: { "snapshot-of": props.targetTag.value },
          },
        ],
      },
    });
  }
}
