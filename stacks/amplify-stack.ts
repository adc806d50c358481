import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import type { AmplifyConfig } from "../config/amplify-schema";
import { AmplifyHosting } from "../modules/amplify-hosting";
import { DifyReload } from "../modules/dify-reload";
import { DifySettings } from "../modules/dify-settings";
import { GenerateApi } from "../modules/generate-api";
import { LambdaVpcParameters } from "../modules/lambda-vpc-parameters";
import type { Deployment } from "./deployment";
import { DeploymentStack } from "./deployment-stack";
import type { DifyOutputs } from "./dify-stack";
import type { EdgeOutputs } from "./edge-stack";
import type { NetworkOutputs } from "./network-stack";

/** The validated `amplify` section with its derived environment name. */
type Amplify = AmplifyConfig & { readonly envName: string };

/**
 * Runbook sections 3-5: the Amplify app in the customer's account, the Lambda VPC settings its
 * Gen 1 functions read, the app's origins handed to Dify's CORS, and optionally the /generate
 * API through a VPC link. Depends on the edge (Dify's public URL) and not the other way round:
 * Dify learns the Amplify origins through Parameter Store.
 */
export class AmplifyStack extends DeploymentStack {
  constructor(
    scope: Construct,
    deployment: Deployment,
    config: Amplify,
    deps: {
      readonly network: NetworkOutputs;
      readonly dify: DifyOutputs;
      readonly edge: EdgeOutputs;
      /** A name the ALB's certificate covers, for API Gateway's TLS check; undefined on HTTP. */
      readonly albTlsServerName?: string;
    },
  ) {
    super(scope, "amplify", deployment);
    const { namePrefix, region, accountId } = deployment;
    const { network, dify, edge } = deps;

    const lambdaSubnets = network.privateSubnets.filter((s) => config.lambdaZones === "all" || s.zone === config.lambdaZones);
    const lambdaVpc = new LambdaVpcParameters(this, "lambda-vpc", {
      path: config.lambdaParameterPath,
      subnetIds: lambdaSubnets.map((s) => s.id),
      securityGroupId: network.securityGroupIds.lambda,
    });

    // Read at apply time; the token reaches the state (aws_amplify_app has no write-only argument).
    const token = new DataAwsSecretsmanagerSecretVersion(this, "github-token", { secretId: config.githubTokenSecretName! });
    const hosting = new AmplifyHosting(this, "hosting", {
      namePrefix,
      region,
      accountId,
      repositoryUrl: config.repositoryUrl!,
      accessToken: token.secretString,
      branch: config.branch,
      envName: config.envName,
      buildSpec: config.buildSpec,
      customDomain: config.customDomain,
      lambdaParameterPath: config.lambdaParameterPath,
      environmentVariables: {
        ...config.environmentVariables,
        NEXT_PUBLIC_DIFY_API_URL: edge.apiBaseUrl,
        NEXT_PUBLIC_APPSYNC_URL: config.appSyncUrl,
        NEXT_PUBLIC_MAINTENANCE_MODE: String(config.maintenanceMode),
        USER_BRANCH: config.envName,
      },
    });

    const settings = new DifySettings(this, "dify-settings", {
      parameterPath: dify.parameterPath,
      source: "amplify",
      corsOrigins: hosting.origins,
    });
    new DifyReload(this, "dify-reload", {
      namePrefix,
      source: "amplify",
      instanceId: dify.instanceId,
      settings,
      fingerprint: hosting.origins.join(" "),
    });

    if (config.apiGateway.enabled) {
      const api = new GenerateApi(this, "generate-api", {
        namePrefix,
        region,
        subnetIds: network.privateSubnets.map((s) => s.id),
        securityGroupId: network.securityGroupIds.vpclink!,
        albListenerArn: dify.albListenerArn,
        albTlsServerName: deps.albTlsServerName,
        targetPathPrefix: config.apiGateway.targetPathPrefix,
        cognitoUserPoolId: config.apiGateway.cognitoUserPoolId!,
        cognitoClientIds: config.apiGateway.cognitoClientIds,
        allowedOrigins: hosting.origins,
        logRetentionDays: config.apiGateway.logRetentionDays,
      });
      new TerraformOutput(this, "generate_api_url", { value: `${api.stage.invokeUrl}generate` });
    }

    new TerraformOutput(this, "app_id", { value: hosting.app.id });
    new TerraformOutput(this, "branch_url", { value: hosting.origins[0]! });
    new TerraformOutput(this, "service_role_arn", { value: hosting.serviceRole.arn });
    new TerraformOutput(this, "lambda_subnet_ids_parameter", { value: lambdaVpc.names.subnetIds });
    new TerraformOutput(this, "lambda_security_group_ids_parameter", { value: lambdaVpc.names.securityGroupIds });
  }
}
