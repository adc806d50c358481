import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "./iam-policy";

export interface FlowLogsProps {
  readonly vpcId: string;
  readonly accountId: string;
  readonly region: string;
  /** Prefix of the log group and role names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  /** Days CloudWatch keeps the flow records. */
  readonly retentionDays: number;
  /** Seconds one flow record aggregates: 60 or 600 (see network.flowLogs in the config). */
  readonly aggregationIntervalSeconds: 60 | 600;
}

/**
 * Every accepted and rejected flow of the VPC, one-minute aggregation, into a CloudWatch log
 * group with a retention: the record a security review asks for after an incident.
 */
export class FlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: `/${props.namePrefix}/vpc-flow-logs`,
      retentionInDays: props.retentionDays,
    });
    const role = new IamRole(this, "role", {
      name: `${props.namePrefix}-vpc-flow-logs`,
      assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", props.accountId),
    });
    new IamRolePolicy(this, "role-policy", {
      role: role.id,
      name: "write-flow-logs",
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [this.logGroup.arn, `${this.logGroup.arn}:*`],
        },
        {
          // The delivery service lists groups before writing; it cannot be scoped to one group.
          Effect: "Allow",
          Action: "logs:DescribeLogGroups",
          Resource: `arn:aws:logs:${props.region}:${props.accountId}:log-group:*`,
        },
      ]),
    });
    new FlowLog(this, "flow-log", {
      vpcId: props.vpcId,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: props.aggregationIntervalSeconds,
      tags: { Name: `${props.namePrefix}-vpc-flow-log` },
    });
  }
}
