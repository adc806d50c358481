import type { Construct } from "constructs";
import type { CustomerConfig } from "../config/schema";
import { LockTable } from "../modules/lock-table";
import { PrivateBucket } from "../modules/private-bucket";
import type { Deployment } from "./deployment";
import { DeploymentStack } from "./deployment-stack";

/**
 * Remote state for every other stack: a versioned, encrypted bucket and a lock table. Applied
 * first with local state; `state.backend: s3` then moves its own state into the bucket.
 */
export class StateStack extends DeploymentStack {
  constructor(scope: Construct, deployment: Deployment, config: CustomerConfig["state"]) {
    super(scope, "state", deployment, config.backend);
    new PrivateBucket(this, "state-bucket", {
      bucketName: deployment.stateBucket,
      encryption: "aws:kms",
      noncurrentVersionExpirationDays: config.noncurrentVersionRetentionDays,
      preventDestroy: true,
    });
    new LockTable(this, "lock-table", { tableName: deployment.lockTable });
  }
}
