import { z } from "zod";
import { lineValue, logRetentionDays, report, rule, secretName, whenValid } from "./fields";
import { shorten } from "./issues";
import { parameterPathProblem } from "./parameter-path";

/** Where the Lambda VPC settings are published: constant across accounts, so one template edit serves all. */
export const DEFAULT_LAMBDA_PARAMETER_PATH = "/amplify/vpc";

/** Parameter names under that path, read by the Gen 1 function templates `amplify-vpc` edits. */
export const LAMBDA_VPC_PARAMETERS = {
  subnetIds: "lambda-subnet-ids",
  securityGroupIds: "lambda-security-group-ids",
} as const;

const parameterPath = z.string().superRefine((value, ctx) => {
  const problem = parameterPathProblem(value, Object.values(LAMBDA_VPC_PARAMETERS));
  if (problem) report(ctx, [], `"${shorten(value)}" ${problem}`, 'write it as /segment/segment, e.g. "/amplify/vpc"');
});

const envVarName = z.string().superRefine(
  rule(
    (value) => /^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(value) && !value.startsWith("AWS_") && !value.startsWith("AMPLIFY_"),
    (value) => `"${value}" is not an environment variable name Amplify accepts`,
    "use up to 255 letters, digits and underscores, not starting with AWS_ or AMPLIFY_",
  ),
);

const apiGatewaySchema = z
  .object({
    /**
     * Runbook 3.4: an HTTP API whose `ANY /generate/{proxy+}` reaches Dify through a VPC link to
     * the internal ALB, behind a Cognito JWT authorizer.
     * @default false
     */
    enabled: z.boolean().default(false),
    /** Cognito user pool that issues the tokens, e.g. `ap-northeast-1_AbCdEf123`. */
    cognitoUserPoolId: z
      .string()
      .superRefine(
        rule(
          (value) => /^[a-z]{2}(-gov)?-[a-z]+-\d_[A-Za-z0-9]+$/.test(value),
          (value) => `"${value}" is not a Cognito user pool ID`,
          'copy it from Cognito, e.g. "ap-northeast-1_AbCdEf123"',
        ),
      )
      .optional(),
    /** App client IDs accepted as the token audience. */
    cognitoClientIds: z.array(z.string().regex(/^[a-z0-9]{20,40}$/, { error: "is not a Cognito app client ID" })).default([]),
    /**
     * Dify path `/generate/<rest>` is sent to: `<targetPathPrefix>/<rest>`.
     * @default "/v1" (Dify's service API)
     */
    targetPathPrefix: z
      .string()
      .superRefine(
        rule(
          (value) => /^(\/[A-Za-z0-9._~-]+)+$/.test(value),
          (value) => `"${value}" is not a path prefix`,
          'write it as /segment, e.g. "/v1"',
        ),
      )
      .default("/v1"),
    /** Days the API's access log group keeps requests. @default 365 */
    logRetentionDays: logRetentionDays(365),
  })
  .strict()
  .superRefine(
    (api, ctx) => {
      if (!api.enabled) return;
      if (!api.cognitoUserPoolId) {
        report(ctx, ["cognitoUserPoolId"], "is required when the API Gateway is enabled", "add the user pool that signs in the app's users");
      }
      if (api.cognitoClientIds.length === 0) {
        report(ctx, ["cognitoClientIds"], "is empty, so no token would be accepted", "list the app client ID(s) of the Amplify app");
      }
    },
    whenValid(["enabled"], ["cognitoUserPoolId"], ["cognitoClientIds"]),
  );

export const amplifySchema = z
  .object({
    /**
     * Create the Amplify app in this account. Without it the other stacks still serve a front
     * end hosted elsewhere.
     * @default true
     */
    enabled: z.boolean().default(true),
    /** The existing GitHub repository of the Amplify Gen 1 app. */
    repositoryUrl: z
      .string()
      .superRefine(
        rule(
          (value) => /^https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value),
          (value) => `"${value}" is not a GitHub repository URL`,
          'write it as https://github.com/<owner>/<repo>, without .git',
        ),
      )
      .optional(),
    /** Branch Amplify builds and hosts. @default "main" */
    branch: z.string().regex(/^[A-Za-z0-9._/-]+$/, { error: "is not a branch name" }).default("main"),
    /**
     * Amplify Gen 1 backend environment name (`amplify env add <name>`), also USER_BRANCH.
     * @default the config's environment when it fits, else required
     */
    envName: z
      .string()
      .superRefine(
        rule(
          (value) => /^[a-z]{2,10}$/.test(value),
          (value) => `"${value}" is not an Amplify environment name`,
          "use 2 to 10 lowercase letters, e.g. prod",
        ),
      )
      .optional(),
    /**
     * Secrets Manager secret whose value is the GitHub token Amplify clones with. Read when
     * Terraform applies; the token never appears in the config or the synthesized JSON.
     */
    githubTokenSecretName: secretName("amplify/github-token").optional(),
    /** NEXT_PUBLIC_APPSYNC_URL: the backend's GraphQL endpoint (known after the first `amplify push`). @default "" */
    appSyncUrl: z
      .string()
      .superRefine(
        rule(
          (value) => value === "" || /^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/[A-Za-z0-9._~/-]*$/.test(value),
          (value) => `"${value}" is not an https:// GraphQL endpoint URL`,
          'copy it from `amplify status`, e.g. "https://abcdefghijklmnopqrstuvwxyz.appsync-api.ap-northeast-1.amazonaws.com/graphql"',
        ),
      )
      .default(""),
    /** NEXT_PUBLIC_MAINTENANCE_MODE. @default false */
    maintenanceMode: z.boolean().default(false),
    /** Further build-time environment variables. @default {} */
    environmentVariables: z
      .record(envVarName, lineValue({ maxLength: 5500, store: "an Amplify environment variable and the build's .env.production", allowEmpty: true }))
      .default({}),
    /**
     * Build specification (amplify.yml). Default: `amplifyPush --simple` for the backend, the
     * runbook's frontend phases, and the NEXT_PUBLIC_ variables written to .env.production so
     * the SSR runtime sees them.
     * @default see modules/amplify-hosting.ts
     */
    buildSpec: z
      .string()
      .superRefine(
        rule(
          (value) => value.trim().length > 0 && value.length <= 25000,
          (value) => (value.length > 25000 ? `is ${value.length} characters; Amplify accepts at most 25000` : "is empty"),
          "write the amplify.yml build specification, or remove the key for the default",
        ),
      )
      .optional(),
    /**
     * Custom domain for the branch (Amplify manages the certificate).
     * @default none: https://<branch>.<app id>.amplifyapp.com
     */
    customDomain: z
      .object({
        domainName: z.string().regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, { error: "is not a domain name" }),
        /** Subdomain of the branch; "" for the apex. @default "" */
        prefix: z.string().regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?)?$/, { error: "is not a subdomain label" }).default(""),
      })
      .strict()
      .optional(),
    /**
     * Private subnets the Gen 1 Lambda functions attach to: `all`, or one zone (the runbook's
     * 1-AZ mode, cheaper NAT, no zone redundancy).
     * @default "all"
     */
    lambdaZones: z.string().default("all"),
    /** Parameter Store path of the Lambda VPC settings. @default "/amplify/vpc" */
    lambdaParameterPath: parameterPath.default(DEFAULT_LAMBDA_PARAMETER_PATH),
    apiGateway: apiGatewaySchema.prefault({}),
  })
  .strict()
  .superRefine(
    (amplify, ctx) => {
      if (!amplify.enabled) return;
      if (!amplify.repositoryUrl) {
        report(ctx, ["repositoryUrl"], "is required for the Amplify app", "add https://github.com/<owner>/<repo>, or set amplify.enabled: false");
      }
      if (!amplify.githubTokenSecretName) {
        report(
          ctx,
          ["githubTokenSecretName"],
          "is required: Amplify clones the repository with a GitHub token",
          "store the token in Secrets Manager and name the secret here, or set amplify.enabled: false",
        );
      }
    },
    whenValid(["enabled"], ["repositoryUrl"], ["githubTokenSecretName"]),
  );

export type AmplifyConfig = z.infer<typeof amplifySchema>;
