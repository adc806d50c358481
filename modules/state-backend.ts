import { LocalBackend, S3Backend, type TerraformStack } from "cdktf";
import type { Deployment } from "../stacks/deployment";

/** `<customer>/<environment>/<stack>.tfstate` in the account's state bucket. */
export function stateKey(deployment: Deployment, stackName: string): string {
  return `${deployment.customer}/${deployment.environment}/${stackName}.tfstate`;
}

/**
 * Puts `stack`'s state in the state bucket: encrypted, locked by both the DynamoDB table and
 * S3's native lock file (Terraform >= 1.10), and only ever in the customer's account.
 */
export function useRemoteState(stack: TerraformStack, deployment: Deployment, stackName: string): S3Backend {
  const backend = new S3Backend(stack, {
    bucket: deployment.stateBucket,
    key: stateKey(deployment, stackName),
    region: deployment.region,
    encrypt: true,
    dynamodbTable: deployment.lockTable,
    allowedAccountIds: [deployment.accountId],
  });
  // cdktf 0.21's S3Backend has no option for it yet.
  backend.addOverride("use_lockfile", true);
  return backend;
}

/**
 * Local state for the state stack's first apply, when the bucket does not exist yet. The file
 * sits beside `cdktf.out` (paths are relative to `cdktf.out/stacks/state`, where Terraform
 * runs), outside the folder a synth rewrites, and is named per environment so two customers
 * bootstrapped from one checkout never share it.
 */
export function useBootstrapState(stack: TerraformStack, deployment: Deployment): LocalBackend {
  return new LocalBackend(stack, { path: `../../../terraform.${deployment.namePrefix}.state.tfstate` });
}
