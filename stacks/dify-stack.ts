import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { DIFY_SECRET_FIELDS } from "../config/dify-env-keys";
import { DIFY_HEALTH_PATH } from "../config/dify-paths";
import { DIFY_RELEASES } from "../config/dify-releases";
import type { DifyConfig } from "../config/dify-schema";
import { DifyAlarms } from "../modules/dify-alarms";
import { DATA_DIR } from "../modules/dify-host/user-data";
import { DifyHost } from "../modules/dify-host/dify-host";
import { DifySecrets } from "../modules/dify-secrets";
import { DifySettings } from "../modules/dify-settings";
import { InstanceConnect } from "../modules/instance-connect";
import { InternalAlb } from "../modules/internal-alb";
import { PrivateDns } from "../modules/private-dns";
import { VolumeSnapshots } from "../modules/volume-snapshots";
import type { Deployment } from "./deployment";
import { DeploymentStack } from "./deployment-stack";
import { resourceNames } from "./resource-names";
import type { NetworkOutputs } from "./network-stack";

/** What the edge and Amplify stacks take from the Dify stack. */
export interface DifyOutputs {
  readonly albArn: string;
  readonly albDnsName: string;
  readonly albPort: number;
  /** The listener that forwards to Dify (HTTPS:443 with a certificate, else HTTP:80). */
  readonly albListenerArn: string;
  /** Parameter Store path where later stacks add Dify settings (URLs, CORS origins). */
  readonly parameterPath: string;
  readonly instanceId: string;
}

/**
 * Runbook sections 2.1-2.8: the Dify host with its secrets and settings, the internal ALB in
 * front of it, the private DNS name, Instance Connect for SSH, snapshots and alarms.
 */
export class DifyStack extends DeploymentStack {
  readonly outputs: DifyOutputs;

  constructor(scope: Construct, deployment: Deployment, config: DifyConfig, network: NetworkOutputs) {
    super(scope, "dify", deployment);
    // Generates the secrets (ephemeral, never stored) in DifySecrets.
    new RandomProvider(this, "random");
    const { namePrefix, region, accountId } = deployment;
    const names = resourceNames(namePrefix);
    const parameterPath = names.difyParameterPath;
    const zone = network.privateSubnets.find((s) => s.zone === (config.zone ?? network.privateSubnets[0]!.zone))!;
    const backupTag = { key: "dify-backup", value: names.dataVolumeTag };

    const secrets = new DifySecrets(this, "secrets", { secretName: names.difySecret, fields: DIFY_SECRET_FIELDS });
    const settings = new DifySettings(this, "settings", {
      parameterPath,
      source: "config",
      env: {
        NGINX_CLIENT_MAX_BODY_SIZE: config.nginx.clientMaxBodySize,
        NGINX_PROXY_READ_TIMEOUT: `${config.nginx.proxyTimeoutSeconds}s`,
        NGINX_PROXY_SEND_TIMEOUT: `${config.nginx.proxyTimeoutSeconds}s`,
        UPLOAD_FILE_SIZE_LIMIT: String(config.uploadFileSizeLimitMb),
        VECTOR_STORE: config.vectorStore,
        // .env.example opens Weaviate to anonymous access; it is reachable by the api only, but not anonymously.
        WEAVIATE_AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: "false",
        ...config.env,
      },
      corsOrigins: config.corsAllowOrigins,
    });

    const host = new DifyHost(this, "host", {
      namePrefix,
      region,
      accountId,
      subnetId: zone.id,
      availabilityZone: zone.zone,
      securityGroupId: network.securityGroupIds.dify,
      instanceType: config.instanceType,
      amiId: config.amiId,
      rootVolumeGiB: config.rootVolumeGiB,
      dataVolumeGiB: config.dataVolume.sizeGiB,
      preventDataVolumeDestroy: config.dataVolume.preventDestroy,
      backupTag,
      release: { version: config.version, commit: DIFY_RELEASES[config.version]!.commit },
      parameterPath,
      secret: { name: names.difySecret, arn: secrets.secret.arn },
      dockerHubSecretName: config.dockerHubSecretName,
      secretsManagerEndpointId: network.interfaceEndpointIds.secretsmanager,
      logRetentionDays: config.logRetentionDays,
      bootDependencies: [secrets.version, ...settings.parameters],
    });

    const alb = new InternalAlb(this, "alb", {
      namePrefix,
      accountId,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnets.map((s) => s.id),
      securityGroupId: network.securityGroupIds.alb,
      targetInstanceId: host.instance.id,
      healthCheckPath: DIFY_HEALTH_PATH,
      certificateArn: config.alb.certificateArn,
      idleTimeoutSeconds: config.alb.idleTimeoutSeconds,
      deletionProtection: config.alb.deletionProtection,
      accessLogRetentionDays: config.alb.accessLogRetentionDays,
    });

    const dns = new PrivateDns(this, "private-dns", {
      vpcId: network.vpcId,
      zoneName: config.privateDns.zoneName,
      recordName: config.privateDns.recordName,
      target: { dnsName: alb.alb.dnsName, zoneId: alb.alb.zoneId },
    });

    const instanceConnect = new InstanceConnect(this, "instance-connect", {
      namePrefix,
      subnetId: zone.id,
      securityGroupId: network.securityGroupIds.eic,
      instance: { arn: host.instance.arn, privateIp: host.instance.privateIp },
    });

    new VolumeSnapshots(this, "snapshots", {
      namePrefix,
      accountId,
      targetTag: backupTag,
      retainCount: config.backups.retentionCount,
      timeUtc: config.backups.timeUtc,
    });

    const alarms = new DifyAlarms(this, "alarms", {
      namePrefix,
      region,
      instanceId: host.instance.id,
      loadBalancerArnSuffix: alb.alb.arnSuffix,
      targetGroupArnSuffix: alb.targetGroup.arnSuffix,
      dataPath: DATA_DIR,
      email: config.alarms.email,
    });

    this.outputs = {
      albArn: alb.alb.arn,
      albDnsName: alb.alb.dnsName,
      albPort: alb.port,
      albListenerArn: alb.forwardingListener.arn,
      parameterPath,
      instanceId: host.instance.id,
    };
    new TerraformOutput(this, "instance_id", { value: host.instance.id });
    new TerraformOutput(this, "data_volume_id", { value: host.dataVolume.id });
    new TerraformOutput(this, "alb_dns_name", { value: alb.alb.dnsName });
    new TerraformOutput(this, "private_url", {
      value: `${alb.port === 443 ? "https" : "http"}://${dns.fqdn}`,
      description: "Dify inside the VPC (Lambda, operators through the tunnel)",
    });
    new TerraformOutput(this, "secret_arn", { value: secrets.secret.arn });
    new TerraformOutput(this, "instance_connect_endpoint_arn", { value: instanceConnect.endpoint.arn });
    new TerraformOutput(this, "operator_policy_arn", {
      value: instanceConnect.operatorPolicy.arn,
      description: "Attach to the operators who may SSH to the host through the endpoint",
    });
    new TerraformOutput(this, "alarm_topic_arn", { value: alarms.topic.arn });
  }
}
