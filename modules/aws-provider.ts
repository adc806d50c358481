import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import type { Construct } from "constructs";
import type { Deployment } from "../stacks/deployment";

/**
 * The AWS provider of a stack: the one place tags are applied (`default_tags`), and a guard
 * (`allowed_account_ids`) that makes Terraform refuse any account but the customer's.
 */
export function awsProvider(
  scope: Construct,
  deployment: Deployment,
  options: { id?: string; alias?: string; region?: string } = {},
): AwsProvider {
  return new AwsProvider(scope, options.id ?? "aws", {
    region: options.region ?? deployment.region,
    alias: options.alias,
    allowedAccountIds: [deployment.accountId],
    defaultTags: [{ tags: { ...deployment.tags } }],
  });
}
