import { gzipSync } from "node:zlib";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { instanceArchitecture } from "../../config/instance-types";
import { policyDocument, type PolicyStatement } from "../iam-policy";
import { hostUserData } from "./user-data";

export interface DifyHostProps {
  /** Prefix of every name, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly region: string;
  readonly accountId: string;
  /** Private subnet of the instance and its zone (the data volume must be in the same zone). */
  readonly subnetId: string;
  readonly availabilityZone: string;
  /** The `dify` security group. */
  readonly securityGroupId: string;
  /** @default "t3.large" */
  readonly instanceType?: string;
  /**
   * Pinned AMI; changing it replaces the instance.
   * @default the newest Amazon Linux 2023 AMI of the type's architecture, from the SSM public
   *   parameter when the launch template is created, then kept (see `imageId` below)
   */
  readonly amiId?: string;
  /** @default 30 */
  readonly rootVolumeGiB?: number;
  /** @default 50 */
  readonly dataVolumeGiB?: number;
  /**
   * Make `terraform destroy` fail on the data volume.
   * @default true
   */
  readonly preventDataVolumeDestroy?: boolean;
  /** Tag key and value that select the data volume for snapshots. */
  readonly backupTag: { readonly key: string; readonly value: string };
  /** Dify release the host checks out on an empty data volume. */
  readonly release: { readonly version: string; readonly commit: string };
  /** Parameter Store path of the host's settings, e.g. `/acme-prod/dify`. */
  readonly parameterPath: string;
  /** The secret with Dify's keys and passwords. */
  readonly secret: { readonly name: string; readonly arn: string };
  /**
   * Name of an existing secret with Docker Hub credentials (`username`, `token`) the host logs
   * in with before pulling images.
   * @default none: anonymous pulls
   */
  readonly dockerHubSecretName?: string;
  /**
   * Interface endpoint of Secrets Manager: when set, the instance may read its secret only
   * through it (runbook section 7).
   * @default reads are not tied to an endpoint
   */
  readonly secretsManagerEndpointId?: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /**
   * What must exist before the instance boots besides this construct's own resources, e.g.
   * the secret's value and the settings parameters.
   * @default []
   */
  readonly bootDependencies?: readonly ITerraformDependable[];
}

/** Device name the data volume is attached as; on Nitro it appears as an NVMe disk by volume ID. */
const DATA_DEVICE = "/dev/sdf";

/**
 * The Dify host of runbook section 2.1-2.3: a launch template and one instance from it in a
 * private subnet, no public IP, IMDSv2 only; a separate encrypted data volume that outlives the
 * instance; an instance role limited to its own secret and settings; log groups for the host and
 * the containers. The instance converges itself from its user data (see difyctl.sh).
 */
export class DifyHost extends Construct {
  readonly instance: Instance;
  readonly launchTemplate: LaunchTemplate;
  readonly dataVolume: EbsVolume;
  readonly role: IamRole;
  readonly containerLogGroup: CloudwatchLogGroup;
  readonly hostLogGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: DifyHostProps) {
    super(scope, id);
    const name = `${props.namePrefix}-dify`;
    const instanceType = props.instanceType ?? "t3.large";
    const logRetention = props.logRetentionDays ?? 365;

    // Names, not references, go into the user data: see user-data.ts.
    const logGroups = { containers: `/${props.namePrefix}/dify/containers`, host: `/${props.namePrefix}/dify/host` };
    this.containerLogGroup = new CloudwatchLogGroup(this, "container-logs", {
      name: logGroups.containers,
      retentionInDays: logRetention,
    });
    this.hostLogGroup = new CloudwatchLogGroup(this, "host-logs", {
      name: logGroups.host,
      retentionInDays: logRetention,
    });

    this.role = new IamRole(this, "role", {
      name,
      assumeRolePolicy: policyDocument([
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]),
    });
    for (const policy of ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"]) {
      new IamRolePolicyAttachment(this, `policy-${policy}`, {
        role: this.role.name,
        policyArn: `arn:aws:iam::aws:policy/${policy}`,
      });
    }
    const throughEndpoint = props.secretsManagerEndpointId
      ? { Condition: { StringEquals: { "aws:SourceVpce": props.secretsManagerEndpointId } } }
      : {};
    const readSecret: PolicyStatement = {
      Sid: "ReadOwnSecret",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: props.secret.arn,
      ...throughEndpoint,
    };
    const readDockerHubCredentials: PolicyStatement[] = props.dockerHubSecretName
      ? [
          {
            Sid: "ReadDockerHubCredentials",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            // An existing secret named in the config: Secrets Manager appends 6 random characters.
            Resource: `arn:aws:secretsmanager:${props.region}:${props.accountId}:secret:${props.dockerHubSecretName}-??????`,
            ...throughEndpoint,
          },
        ]
      : [];
    const ownSettings = new IamRolePolicy(this, "own-settings", {
      role: this.role.id,
      name: "read-own-secret-and-settings",
      policy: policyDocument([
        readSecret,
        ...readDockerHubCredentials,
        {
          Sid: "ReadOwnSettings",
          Effect: "Allow",
          Action: ["ssm:GetParameter", "ssm:GetParametersByPath"],
          Resource: [
            `arn:aws:ssm:${props.region}:${props.accountId}:parameter${props.parameterPath}`,
            `arn:aws:ssm:${props.region}:${props.accountId}:parameter${props.parameterPath}/*`,
          ],
        },
      ]),
    });
    const profile = new IamInstanceProfile(this, "profile", { name, role: this.role.name });

    this.dataVolume = new EbsVolume(this, "data-volume", {
      availabilityZone: props.availabilityZone,
      size: props.dataVolumeGiB ?? 50,
      type: "gp3",
      encrypted: true,
      tags: { Name: `${name}-data`, [props.backupTag.key]: props.backupTag.value },
      lifecycle: { preventDestroy: props.preventDataVolumeDestroy ?? true },
    });

    // The host reads these at boot; keeping IDs out of the user data keeps it free of
    // Terraform references and the instance from being replaced when they change.
    const volumeIdParameter = new SsmParameter(this, "data-volume-id", {
      name: `${props.parameterPath}/data-volume-id`,
      type: "String",
      value: this.dataVolume.id,
      description: "EBS volume that holds Dify's state; difyctl mounts it",
    });
    const releaseParameter = new SsmParameter(this, "release", {
      name: `${props.parameterPath}/release`,
      type: "String",
      value: JSON.stringify(props.release),
      description: "Dify release (tag and verified commit) of the config; difyctl checks it out, upgrade converges to it",
    });

    const imageId =
      props.amiId ??
      new DataAwsSsmParameter(this, "al2023-ami", {
        name: `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${instanceArchitecture(instanceType)}`,
      }).insecureValue;

    this.launchTemplate = new LaunchTemplate(this, "launch-template", {
      name,
      description: "Dify host: AL2023, docker compose, data on a separate volume",
      imageId,
      instanceType,
      ebsOptimized: "true",
      iamInstanceProfile: { arn: profile.arn },
      monitoring: { enabled: true },
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        // Containers sit one hop further and cannot reach the instance's credentials.
        httpPutResponseHopLimit: 1,
      },
      networkInterfaces: [
        {
          deviceIndex: 0,
          subnetId: props.subnetId,
          securityGroups: [props.securityGroupId],
          associatePublicIpAddress: "false",
          deleteOnTermination: "true",
        },
      ],
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: props.rootVolumeGiB ?? 30, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      // gzip (cloud-init unpacks it) keeps the scripts far below EC2's 16 KB; zlib's header has
      // no timestamp, so the synthesized JSON stays the same from run to run.
      userData: gzipSync(
        hostUserData({
          region: props.region,
          parameterPath: props.parameterPath,
          secretName: props.secret.name,
          containerLogGroup: logGroups.containers,
          hostLogGroup: logGroups.host,
          dockerHubSecretName: props.dockerHubSecretName,
        }),
        { level: 9 },
      ).toString("base64"),
      tagSpecifications: [
        { resourceType: "instance", tags: { Name: name } },
        { resourceType: "volume", tags: { Name: `${name}-root` } },
      ],
      updateDefaultVersion: true,
      // Without a pinned AMI the SSM parameter moves to each new AL2023 release; following it
      // would replace the host on the first plan after every release (downtime, and a new
      // instance ID). The AMI is read once, at creation; moving to a newer one is explicit:
      // pin dify.amiId, or `terraform apply -replace` the launch template (docs: operations).
      lifecycle: props.amiId ? undefined : { ignoreChanges: ["image_id"] },
    });

    // A new launch template version (AMI, type, user data) replaces the instance; the data
    // volume is detached and attached to the new one.
    this.instance = new Instance(this, "instance", {
      launchTemplate: { id: this.launchTemplate.id, version: `${this.launchTemplate.latestVersion}` },
      tags: { Name: name },
      // Read by the host as it boots, not referenced by the user data.
      dependsOn: [
        this.containerLogGroup,
        this.hostLogGroup,
        ownSettings,
        volumeIdParameter,
        releaseParameter,
        ...(props.bootDependencies ?? []),
      ],
    });
    new VolumeAttachment(this, "data-volume-attachment", {
      deviceName: DATA_DEVICE,
      volumeId: this.dataVolume.id,
      instanceId: this.instance.id,
      stopInstanceBeforeDetaching: true,
    });
  }
}
