import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { parse } from "yaml";
import { exampleConfig } from "./support/config";
import { reachability } from "./support/reachability";
import { onlyResource as one, resourcesOf, synthAll, synthJson, type StackJson } from "./support/synth";

const text = synthAll().amplify!;
const amplify: StackJson = JSON.parse(text);

const withAmplify = (change: Record<string, any>) => synthJson(exampleConfig((d) => Object.assign(d.amplify, change)));
const API = { enabled: true, cognitoUserPoolId: "ap-northeast-1_AbCdEf123", cognitoClientIds: ["1a2b3c4d5e6f7g8h9i0j1k2l3m"] };

describe("amplify stack: hosting", () => {
  const app = one(amplify, "aws_amplify_app");

  test("app for the existing repository on WEB_COMPUTE with its service role", () => {
    expect(text).toHaveResourceWithProperties(AmplifyApp, {
      name: "example-prod",
      repository: "https://github.com/example-org/example-app",
      platform: "WEB_COMPUTE",
    });
    expect(app.iam_service_role_arn).toMatch(/aws_iam_role\.hosting_service-role_[^.]+\.arn/);
  });

  test("the GitHub token is read from Secrets Manager at apply time, never written in the JSON", () => {
    expect(app.access_token).toMatch(/^\$\{data\.aws_secretsmanager_secret_version\.[^.]+\.secret_string\}$/);
    expect(Object.values(amplify.data!.aws_secretsmanager_secret_version!)[0].secret_id).toBe("amplify/github-token");
  });

  test("service role: AdministratorAccess-Amplify plus exactly what the VPC attachment needs", () => {
    const role = resourcesOf(amplify, "aws_iam_role").find((r) => r.name === "example-prod-amplify");
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "amplify.amazonaws.com" });
    expect(resourcesOf(amplify, "aws_iam_role_policy_attachment").map((a) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess-Amplify"]);
    const inline = one(amplify, "aws_iam_role_policy");
    expect(JSON.parse(inline.policy).Statement).toEqual([
      {
        Sid: "ReadLambdaVpcParameters",
        Effect: "Allow",
        Action: "ssm:GetParameters",
        Resource: "arn:aws:ssm:ap-northeast-1:111111111111:parameter/amplify/vpc/*",
      },
      {
        Sid: "LambdaVpcConfigChecks",
        Effect: "Allow",
        Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
        Resource: "*",
      },
    ]);
  });

  test("backend environment and a production branch building Next.js SSR with it", () => {
    const backend = one(amplify, "aws_amplify_backend_environment");
    expect(backend.environment_name).toBe("prod");
    expect(text).toHaveResourceWithProperties(AmplifyBranch, {
      branch_name: "main",
      framework: "Next.js - SSR",
      stage: "PRODUCTION",
      enable_auto_build: true,
    });
    expect(one(amplify, "aws_amplify_branch").backend_environment_arn).toMatch(/aws_amplify_backend_environment\.[^.]+\.arn/);
  });

  test("environment: the Dify API URL is a reference to the edge stack's output, not a literal", () => {
    const variables = one(amplify, "aws_amplify_branch").environment_variables;
    expect(variables.NEXT_PUBLIC_DIFY_API_URL).toMatch(
      /^https:\/\/\$\{data\.terraform_remote_state\.cross-stack-reference-input-edge\.outputs\.cross-stack-output-aws_cloudfront_distribution[^}]+domain_name\}\/v1$/,
    );
    expect(variables).toMatchObject({ NEXT_PUBLIC_APPSYNC_URL: "", NEXT_PUBLIC_MAINTENANCE_MODE: "false", USER_BRANCH: "prod" });
  });

  test("extra variables, maintenance mode and AppSync URL from the config", () => {
    const variables = one(
      withAmplify({ environmentVariables: { NEXT_PUBLIC_FEATURE_X: "on" }, maintenanceMode: true, appSyncUrl: "https://x.appsync-api.ap-northeast-1.amazonaws.com/graphql" }).amplify!,
      "aws_amplify_branch",
    ).environment_variables;
    expect(variables).toMatchObject({
      NEXT_PUBLIC_FEATURE_X: "on",
      NEXT_PUBLIC_MAINTENANCE_MODE: "true",
      NEXT_PUBLIC_APPSYNC_URL: "https://x.appsync-api.ap-northeast-1.amazonaws.com/graphql",
    });
  });

  test("default build spec: amplifyPush --simple, the runbook's frontend phases, NEXT_PUBLIC_ written for the SSR runtime", () => {
    const spec = parse(app.build_spec);
    expect(spec.backend.phases.build.commands).toEqual(["amplifyPush --simple"]);
    expect(spec.frontend.phases.preBuild.commands).toEqual(["npm ci"]);
    expect(spec.frontend.phases.build.commands).toEqual(["env | grep -E '^(NEXT_PUBLIC_|USER_BRANCH=)' >> .env.production", "npm run build"]);
    expect(spec.frontend.artifacts).toEqual({ baseDirectory: ".next", files: ["**/*"] });
    expect(spec.frontend.cache).toEqual({ paths: ["node_modules/**/*"] });
  });

  // What Terraform renders from it is proven with the terraform binary in terraform-literal.test.ts.
  test("a build spec from the config is written with its shell ${...} in Terraform's literal form", () => {
    const custom = "version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - echo ${AWS_BRANCH} %{x}\n";
    const built = one(withAmplify({ buildSpec: custom }).amplify!, "aws_amplify_app").build_spec;
    expect(built).toBe("version: 1\nfrontend:\n  phases:\n    build:\n      commands:\n        - echo $${AWS_BRANCH} %%{x}\n");
  });

  test("optional custom domain for the branch", () => {
    expect(resourcesOf(amplify, "aws_amplify_domain_association")).toEqual([]);
    const domain = one(withAmplify({ customDomain: { domainName: "example.com", prefix: "app" } }).amplify!, "aws_amplify_domain_association");
    expect(domain).toMatchObject({ domain_name: "example.com", sub_domain: [{ prefix: "app" }], wait_for_verification: false });
  });

  test("amplify.enabled: false leaves the stack out", () => {
    expect(Object.keys(synthJson(exampleConfig((d) => (d.amplify = { enabled: false }))))).not.toContain("amplify");
  });
});

describe("amplify stack: Lambda VPC parameters", () => {
  const parameters = (stack: StackJson) => Object.fromEntries(resourcesOf(stack, "aws_ssm_parameter").map((p) => [p.name, p]));

  test("all private subnets and the lambda group, as StringLists under the path the service role may read", () => {
    const values = parameters(amplify);
    expect(values["/amplify/vpc/lambda-subnet-ids"].type).toBe("StringList");
    const subnets = values["/amplify/vpc/lambda-subnet-ids"].value.split(",");
    expect(subnets.map((s: string) => /private-(ap-northeast-1[a-z])/.exec(s)![1])).toEqual(["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    expect(values["/amplify/vpc/lambda-security-group-ids"].value).toMatch(/security-groups_lambda/);
  });

  test("one zone when configured (with a warning at load time)", () => {
    const values = parameters(withAmplify({ lambdaZones: "ap-northeast-1a" }).amplify!);
    expect(values["/amplify/vpc/lambda-subnet-ids"].value.split(",")).toHaveLength(1);
    expect(values["/amplify/vpc/lambda-subnet-ids"].value).toMatch(/private-ap-northeast-1a/);
  });
});

describe("amplify stack: Dify CORS without a cycle", () => {
  test("the branch URL (and custom domain) become Dify CORS origins through Parameter Store, applied by an association", () => {
    const cors = resourcesOf(amplify, "aws_ssm_parameter").find((p) => p.name === "/example-prod/dify/cors/amplify");
    expect(cors.value).toMatch(/^https:\/\/main\.\$\{aws_amplify_app\.[^.]+\.default_domain\}$/);
    const withDomain = resourcesOf(withAmplify({ customDomain: { domainName: "example.com", prefix: "app" } }).amplify!, "aws_ssm_parameter").find(
      (p) => p.name === "/example-prod/dify/cors/amplify",
    );
    expect(withDomain.value.split(",")[1]).toBe("https://app.example.com");
    expect(one(amplify, "aws_ssm_association").parameters.commands).toMatch(/^systemctl try-reload-or-restart dify\.service # amplify settings:/);
  });

  test("adding a custom domain changes the reload command, so the host re-reads its CORS origins", () => {
    const plain = one(amplify, "aws_ssm_association").parameters.commands;
    const domained = one(withAmplify({ customDomain: { domainName: "example.com", prefix: "app" } }).amplify!, "aws_ssm_association").parameters.commands;
    expect(domained).toContain("https://app.example.com");
    expect(domained).not.toBe(plain);
  });
});

describe("amplify stack: /generate API (optional)", () => {
  const stacks = withAmplify({ apiGateway: API });
  const api = stacks.amplify!;

  test("off by default", () => {
    expect(resourcesOf(amplify, "aws_apigatewayv2_api")).toEqual([]);
    expect(resourcesOf(stacks.network!, "aws_security_group").map((g) => g.name)).toContain("example-prod-vpclink");
  });

  test("HTTP API: ANY /generate/{proxy+} through a VPC link to the ALB's listener, path mapped to /v1", () => {
    expect(one(api, "aws_apigatewayv2_api")).toMatchObject({ protocol_type: "HTTP" });
    const route = one(api, "aws_apigatewayv2_route");
    expect(route).toMatchObject({ route_key: "ANY /generate/{proxy+}", authorization_type: "JWT" });
    const integration = one(api, "aws_apigatewayv2_integration");
    expect(integration).toMatchObject({
      integration_type: "HTTP_PROXY",
      integration_method: "ANY",
      connection_type: "VPC_LINK",
      request_parameters: { "overwrite:path": "/v1/$request.path.proxy" },
    });
    expect(integration.integration_uri).toMatch(/cross-stack-reference-input-dify\.outputs\.cross-stack-output-aws_lb_listeneralb_http/);
    const link = one(api, "aws_apigatewayv2_vpc_link");
    expect(link.security_group_ids[0]).toMatch(/security-groups_vpclink/);
    expect(link.subnet_ids).toHaveLength(3);
  });

  test("JWT authorizer from the Cognito user pool and app clients", () => {
    expect(one(api, "aws_apigatewayv2_authorizer")).toMatchObject({
      authorizer_type: "JWT",
      identity_sources: ["$request.header.Authorization"],
      jwt_configuration: {
        issuer: "https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_AbCdEf123",
        audience: ["1a2b3c4d5e6f7g8h9i0j1k2l3m"],
      },
    });
  });

  test("access logs in JSON to a log group with retention", () => {
    const stage = one(api, "aws_apigatewayv2_stage");
    expect(stage).toMatchObject({ name: "$default", auto_deploy: true });
    expect(JSON.parse(stage.access_log_settings.format)).toMatchObject({ requestId: "$context.requestId", status: "$context.status" });
    expect(resourcesOf(api, "aws_cloudwatch_log_group").map((g) => [g.name, g.retention_in_days])).toEqual([["/example-prod/api-gateway/generate", 365]]);
  });

  test("the VPC link's group joins the matrix: it may reach the ALB, nothing else", () => {
    const flows = reachability(stacks, (name) => name.replace(/^example-prod-/, "")).flows;
    expect(flows.filter((f) => f.includes("vpclink"))).toEqual(["vpclink -> alb tcp/80"]);
  });
});
