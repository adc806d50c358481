import type { CustomerConfig } from "../config/schema";

/** The project name in the `project` tag and in state keys. */
export const PROJECT = "amplify-dify-vpc";

/** What every stack of one customer environment shares: names, account, region, tags, state. */
export interface Deployment {
  readonly customer: string;
  readonly environment: string;
  /** `<customer>-<environment>`: the start of every resource name. */
  readonly namePrefix: string;
  readonly accountId: string;
  readonly region: string;
  /** Tags on every resource, through the AWS provider's `default_tags`. */
  readonly tags: Readonly<Record<string, string>>;
  /** Remote state of every stack but `state` itself. */
  readonly stateBucket: string;
  readonly lockTable: string;
}

export function deploymentOf(config: CustomerConfig): Deployment {
  const namePrefix = `${config.customer}-${config.environment}`;
  return {
    customer: config.customer,
    environment: config.environment,
    namePrefix,
    accountId: config.aws.accountId,
    region: config.aws.region,
    tags: {
      ...config.tags,
      customer: config.customer,
      environment: config.environment,
      project: PROJECT,
      "managed-by": "cdktf",
    },
    // The account ID makes the name globally unique without a random suffix that reviewers
    // and pipelines would have to look up.
    stateBucket: `${namePrefix}-tfstate-${config.aws.accountId}`,
    lockTable: `${namePrefix}-tfstate-lock`,
  };
}
