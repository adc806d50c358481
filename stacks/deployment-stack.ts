import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { awsProvider } from "../modules/aws-provider";
import { useBootstrapState, useRemoteState } from "../modules/state-backend";
import type { Deployment } from "./deployment";

/** The stacks of one customer environment, in deployment order. */
export type StackName = "state" | "network" | "dify" | "edge" | "amplify";

/**
 * A stack of one customer environment: the tagged, account-locked AWS provider, and its state
 * in the account's state bucket unless it is the state stack's own first apply.
 */
export abstract class DeploymentStack extends TerraformStack {
  protected constructor(
    scope: Construct,
    readonly stackName: StackName,
    protected readonly deployment: Deployment,
    backend: "local" | "s3" = "s3",
  ) {
    super(scope, stackName);
    awsProvider(this, deployment);
    if (backend === "s3") useRemoteState(this, deployment, stackName);
    else useBootstrapState(this, deployment);
  }
}
