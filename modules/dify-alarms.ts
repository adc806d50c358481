import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";

export interface DifyAlarmsProps {
  /** Prefix of names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly region: string;
  readonly instanceId: string;
  /** `arn_suffix` of the ALB and of its target group (CloudWatch dimensions). */
  readonly loadBalancerArnSuffix: string;
  readonly targetGroupArnSuffix: string;
  /** Where the data volume is mounted (the agent's disk metric `path`). */
  readonly dataPath: string;
  /**
   * Address subscribed to the topic.
   * @default no subscription
   */
  readonly email?: string;
  /**
   * 5xx answers from Dify in five minutes that raise the alarm.
   * @default 10
   */
  readonly target5xxThreshold?: number;
}

type AlarmSpec = Omit<CloudwatchMetricAlarmConfig, "alarmName" | "alarmActions" | "okActions" | "comparisonOperator"> & {
  readonly extraActions?: string[];
};

/**
 * What pages someone: the instance failing its checks (recovered or rebooted automatically),
 * the ALB seeing no healthy Dify or many 5xx, and the host running out of memory or data disk.
 * Every alarm notifies one SNS topic, optionally mailed.
 */
export class DifyAlarms extends Construct {
  readonly topic: SnsTopic;
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly namePrefix: string;

  constructor(scope: Construct, id: string, props: DifyAlarmsProps) {
    super(scope, id);
    this.namePrefix = `${props.namePrefix}-dify`;
    // Unencrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed SNS
    // key, and alarm messages carry no secrets.
    this.topic = new SnsTopic(this, "topic", { name: `${this.namePrefix}-alarms` });
    if (props.email) {
      new SnsTopicSubscription(this, "email", { topicArn: this.topic.arn, protocol: "email", endpoint: props.email });
    }
    const instance = { InstanceId: props.instanceId };
    const alb = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };

    this.alarm("system-check-recover", {
      alarmDescription: "The instance's host failed its system status check: EC2 recovers the instance onto healthy hardware",
      namespace: "AWS/EC2",
      metricName: "StatusCheckFailed_System",
      dimensions: instance,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 2,
      threshold: 1,
      extraActions: [`arn:aws:automate:${props.region}:ec2:recover`],
    });
    this.alarm("instance-check-reboot", {
      alarmDescription: "The instance failed its own status check for 3 minutes: EC2 reboots it",
      namespace: "AWS/EC2",
      metricName: "StatusCheckFailed_Instance",
      dimensions: instance,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 3,
      threshold: 1,
      extraActions: [`arn:aws:automate:${props.region}:ec2:reboot`],
    });
    this.alarm("alb-unhealthy-hosts", {
      alarmDescription: "The ALB found Dify unhealthy (/console/api/ping) for 5 minutes",
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: alb,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 5,
      threshold: 1,
    });
    this.alarm("alb-target-5xx", {
      alarmDescription: "Dify answered with many 5xx errors in 5 minutes",
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: alb,
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: props.target5xxThreshold ?? 10,
    });
    this.alarm("memory", {
      alarmDescription: "Memory above 90% for 10 minutes: Dify's containers are about to be OOM-killed",
      namespace: "CWAgent",
      metricName: "mem_used_percent",
      dimensions: instance,
      statistic: "Average",
      period: 300,
      evaluationPeriods: 2,
      threshold: 90,
    });
    this.alarm("data-disk", {
      alarmDescription: "The data volume is more than 80% full: grow it (dify.dataVolume.sizeGiB) before Postgres stops",
      namespace: "CWAgent",
      metricName: "disk_used_percent",
      dimensions: { ...instance, path: props.dataPath, fstype: "xfs" },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 80,
    });
    // Packages, logs and the journal live on the root disk (Docker's images do not: see
    // modules/dify-host/user-data.ts); AL2023's root filesystem is XFS too.
    this.alarm("root-disk", {
      alarmDescription: "The root volume is more than 80% full: check /var/log and the journal, or grow it (dify.rootVolumeGiB)",
      namespace: "CWAgent",
      metricName: "disk_used_percent",
      dimensions: { ...instance, path: "/", fstype: "xfs" },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 80,
    });
  }

  private alarm(name: string, spec: AlarmSpec): void {
    const { extraActions = [], ...config } = spec;
    this.alarms.push(
      new CloudwatchMetricAlarm(this, name, {
        ...config,
        alarmName: `${this.namePrefix}-${name}`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: config.treatMissingData ?? "notBreaching",
        alarmActions: [...extraActions, this.topic.arn],
        okActions: [this.topic.arn],
      }),
    );
  }
}
