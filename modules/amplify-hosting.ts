import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBackendEnvironment } from "@cdktf/provider-aws/lib/amplify-backend-environment";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { AmplifyDomainAssociation } from "@cdktf/provider-aws/lib/amplify-domain-association";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { policyDocument, serviceTrustPolicy } from "./iam-policy";
import { terraformLiteral } from "./terraform-literal";

/**
 * Runbook section 5's build settings, plus the Gen 1 backend deployment (`amplifyPush --simple`
 * deploys the backend environment named by USER_BRANCH) and the NEXT_PUBLIC_ variables written
 * to .env.production, because Amplify's SSR runtime does not see build-time variables otherwise.
 */
export const DEFAULT_BUILD_SPEC = `version: 1
backend:
  phases:
    build:
      commands:
        - amplifyPush --simple
frontend:
  phases:
    preBuild:
      commands:
        - npm ci
    build:
      commands:
        - env | grep -E '^(NEXT_PUBLIC_|USER_BRANCH=)' >> .env.production
        - npm run build
  artifacts:
    baseDirectory: .next
    files:
      - '**/*'
  cache:
    paths:
      - node_modules/**/*
`;

export interface AmplifyHostingProps {
  /** Prefix of names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly region: string;
  readonly accountId: string;
  /** https://github.com/<owner>/<repo> */
  readonly repositoryUrl: string;
  /** GitHub token (read from Secrets Manager at apply time). */
  readonly accessToken: string;
  readonly branch: string;
  /** Gen 1 backend environment name, also USER_BRANCH. */
  readonly envName: string;
  /** Build-time environment variables of the branch. */
  readonly environmentVariables: Readonly<Record<string, string>>;
  /** A Terraform literal, as every config value is (stacks/app.ts). @default DEFAULT_BUILD_SPEC */
  readonly buildSpec?: string;
  /** @default none */
  readonly customDomain?: { readonly domainName: string; readonly prefix: string };
  /** Parameter Store path the Lambda VPC settings are read from during `amplify push`. */
  readonly lambdaParameterPath: string;
}

/**
 * Runbook sections 3-5 in the new account: the Amplify app for the existing repository (Next.js
 * SSR on WEB_COMPUTE), its Gen 1 backend environment, the production branch with auto build,
 * and a service role that can deploy the backend including functions attached to the VPC.
 */
export class AmplifyHosting extends Construct {
  readonly app: AmplifyApp;
  readonly branch: AmplifyBranch;
  readonly serviceRole: IamRole;
  /** Browser origins the app is served from: the branch URL and the custom domain, if any. */
  readonly origins: readonly string[];

  constructor(scope: Construct, id: string, props: AmplifyHostingProps) {
    super(scope, id);
    this.serviceRole = new IamRole(this, "service-role", {
      name: `${props.namePrefix}-amplify`,
      assumeRolePolicy: serviceTrustPolicy("amplify.amazonaws.com", props.accountId),
    });
    new IamRolePolicyAttachment(this, "admin-amplify", {
      role: this.serviceRole.name,
      policyArn: "arn:aws:iam::aws:policy/AdministratorAccess-Amplify",
    });
    new IamRolePolicy(this, "lambda-vpc", {
      role: this.serviceRole.id,
      name: "deploy-functions-in-vpc",
      policy: policyDocument([
        {
          // CloudFormation resolves the templates' SSM-typed parameters as this role.
          Sid: "ReadLambdaVpcParameters",
          Effect: "Allow",
          Action: "ssm:GetParameters",
          Resource: `arn:aws:ssm:${props.region}:${props.accountId}:parameter${props.lambdaParameterPath}/*`,
        },
        {
          // Lambda checks these for whoever sets a VpcConfig; Describe calls take no resource.
          Sid: "LambdaVpcConfigChecks",
          Effect: "Allow",
          Action: ["ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"],
          Resource: "*",
        },
      ]),
    });

    this.app = new AmplifyApp(this, "app", {
      name: props.namePrefix,
      description: "Next.js SSR front end and Gen 1 backend",
      repository: props.repositoryUrl,
      accessToken: props.accessToken,
      platform: "WEB_COMPUTE",
      iamServiceRoleArn: this.serviceRole.arn,
      // The default is this module's own shell and YAML: keep its ${...} away from Terraform.
      buildSpec: props.buildSpec ?? terraformLiteral(DEFAULT_BUILD_SPEC),
    });
    const backend = new AmplifyBackendEnvironment(this, "backend", {
      appId: this.app.id,
      environmentName: props.envName,
    });
    this.branch = new AmplifyBranch(this, "branch", {
      appId: this.app.id,
      branchName: props.branch,
      framework: "Next.js - SSR",
      stage: "PRODUCTION",
      enableAutoBuild: true,
      backendEnvironmentArn: backend.arn,
      environmentVariables: { ...props.environmentVariables },
    });

    const branchHost = props.branch.replace(/\//g, "-");
    const origins = [`https://${branchHost}.${this.app.defaultDomain}`];
    if (props.customDomain) {
      new AmplifyDomainAssociation(this, "domain", {
        appId: this.app.id,
        domainName: props.customDomain.domainName,
        subDomain: [{ branchName: this.branch.branchName, prefix: props.customDomain.prefix }],
        waitForVerification: false,
      });
      const { domainName, prefix } = props.customDomain;
      origins.push(`https://${prefix ? `${prefix}.` : ""}${domainName}`);
    }
    this.origins = origins;
  }
}
