import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { DIFY_PUBLIC_URL_KEYS } from "../config/dify-env-keys";
import type { EdgeConfig } from "../config/edge-schema";
import { awsProvider } from "../modules/aws-provider";
import { DifyDistribution } from "../modules/dify-distribution";
import { DifyReload } from "../modules/dify-reload";
import { DifySettings } from "../modules/dify-settings";
import { EdgeWebAcl } from "../modules/edge-web-acl";
import { OriginFacingIngress } from "../modules/origin-facing-ingress";
import type { Deployment } from "./deployment";
import { DeploymentStack } from "./deployment-stack";
import type { DifyOutputs } from "./dify-stack";
import type { NetworkOutputs } from "./network-stack";

/** What the Amplify stack takes from the edge. */
export interface EdgeOutputs {
  /** `https://<public domain>/v1`: Dify's service API for the browser. */
  readonly apiBaseUrl: string;
}

/**
 * Runbook section 2.10: the public entrance. CloudFront reaches the internal ALB through a VPC
 * origin; a WAF web ACL (us-east-1) guards it; the ALB admits CloudFront's origin-facing
 * addresses; and Dify learns its public URL and CORS origins through Parameter Store.
 */
export class EdgeStack extends DeploymentStack {
  readonly outputs: EdgeOutputs;

  constructor(scope: Construct, deployment: Deployment, config: EdgeConfig, dify: DifyOutputs, network: NetworkOutputs) {
    super(scope, "edge", deployment);
    const { namePrefix, accountId } = deployment;
    // CloudFront's web ACLs and their logs live in us-east-1 only.
    const usEast1 = awsProvider(this, deployment, { id: "aws-us-east-1", alias: "us-east-1", region: "us-east-1" });

    new OriginFacingIngress(this, "alb-from-cloudfront", { securityGroupId: network.securityGroupIds.alb, port: dify.albPort });

    const waf = new EdgeWebAcl(this, "waf", { namePrefix, accountId, usEast1, ...config.waf });

    const edge = new DifyDistribution(this, "cloudfront", {
      namePrefix,
      accountId,
      alb: { arn: dify.albArn, dnsName: dify.albDnsName, port: dify.albPort },
      domainNames: config.domainNames,
      certificateArn: config.certificateArn,
      priceClass: config.priceClass,
      originReadTimeoutSeconds: config.originReadTimeoutSeconds,
      originKeepaliveTimeoutSeconds: config.originKeepaliveTimeoutSeconds,
      webAclArn: waf.webAcl.arn,
      accessLogRetentionDays: config.accessLogRetentionDays,
    });

    const cloudfrontOrigin = `https://${edge.distribution.domainName}`;
    const publicOrigin = config.domainNames.length > 0 ? `https://${config.domainNames[0]}` : cloudfrontOrigin;
    const corsOrigins = [cloudfrontOrigin, ...config.domainNames.map((domain) => `https://${domain}`)];
    const env = Object.fromEntries(DIFY_PUBLIC_URL_KEYS.map((key) => [key, publicOrigin]));
    const settings = new DifySettings(this, "dify-settings", { parameterPath: dify.parameterPath, source: "edge", env, corsOrigins });
    new DifyReload(this, "dify-reload", {
      namePrefix,
      source: "edge",
      instanceId: dify.instanceId,
      settings,
      fingerprint: [publicOrigin, ...corsOrigins].join(" "),
    });

    this.outputs = { apiBaseUrl: `${publicOrigin}/v1` };
    new TerraformOutput(this, "distribution_domain_name", { value: edge.distribution.domainName });
    new TerraformOutput(this, "public_url", { value: publicOrigin, description: "Dify's console and web apps" });
    new TerraformOutput(this, "api_base_url", { value: this.outputs.apiBaseUrl, description: "Dify's service API (NEXT_PUBLIC_DIFY_API_URL)" });
    new TerraformOutput(this, "web_acl_arn", { value: waf.webAcl.arn });
  }
}
