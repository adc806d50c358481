import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsProblem } from "./aws-errors";
import { fail, pass, type CheckResult } from "./checks";
import type { OpsContext } from "./context";
import { INSTALL_DOCS, programOutput, versionAtLeast } from "./external";

/** Minimum versions: AWS CLI per runbook section 0; Terraform for the write-only secret (1.11) and S3 lock files (1.10). */
export const MINIMUM = { awsCli: "2.17", terraform: "1.11" } as const;

/** Runbook section 0 as checks: local tools, credentials, the right account and region. */
export async function doctor(ctx: OpsContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const { config } = ctx.loaded;

  const aws = programOutput("aws", ["--version"]);
  const awsVersion = /aws-cli\/(\d+\.\d+\.\d+)/.exec(aws?.output ?? "")?.[1];
  results.push(
    awsVersion && versionAtLeast(awsVersion, MINIMUM.awsCli)
      ? pass(`AWS CLI >= ${MINIMUM.awsCli}`, `aws-cli/${awsVersion}`)
      : fail(`AWS CLI >= ${MINIMUM.awsCli}`, awsVersion ? `aws-cli/${awsVersion}` : "not found", `install AWS CLI v2: ${INSTALL_DOCS.awsCli}`),
  );

  const plugin = programOutput("session-manager-plugin", ["--version"]);
  results.push(
    plugin && plugin.status === 0
      ? pass("Session Manager plugin", plugin.output.trim())
      : fail("Session Manager plugin", "not found", `install it (tunnel needs it): ${INSTALL_DOCS.sessionManagerPlugin}`),
  );

  const terraform = programOutput("terraform", ["version", "-json"]);
  const terraformVersion = /"terraform_version"\s*:\s*"(\d+\.\d+\.\d+)"|Terraform v(\d+\.\d+\.\d+)/
    .exec(terraform?.output ?? "")
    ?.slice(1)
    .find(Boolean);
  results.push(
    terraformVersion && versionAtLeast(terraformVersion, MINIMUM.terraform)
      ? pass(`Terraform >= ${MINIMUM.terraform}`, terraformVersion)
      : fail(
          `Terraform >= ${MINIMUM.terraform}`,
          terraformVersion ?? "not found",
          "install Terraform 1.11 or newer (write-only secret arguments; S3 lock files need 1.10)",
        ),
  );

  try {
    const identity = await new STSClient({ region: ctx.region }).send(new GetCallerIdentityCommand({}));
    results.push(pass("AWS credentials", `${identity.Arn}`));
    const account = identity.Account ?? "";
    if (config.aws.devAccountIds.includes(account)) {
      results.push(
        fail("target account", `${account} is a dev account (aws.devAccountIds)`, `switch to credentials of the customer account ${config.aws.accountId}`),
      );
    } else if (account !== config.aws.accountId) {
      results.push(fail("target account", `${account}, not ${config.aws.accountId}`, `switch to credentials of the customer account ${config.aws.accountId} (AWS_PROFILE)`));
    } else {
      results.push(pass("target account", `${account} (the config's aws.accountId, not a dev account)`));
    }
  } catch (error) {
    // Checking the credentials is doctor's job, so their problem is a row of its report; anything else is a bug.
    const problem = awsProblem(error);
    if (!problem) throw error;
    results.push(fail("AWS credentials", problem.message, `${problem.fix}; then run doctor again`));
  }

  const cliRegion = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? programOutput("aws", ["configure", "get", "region"])?.output.trim();
  results.push(
    !cliRegion || cliRegion === ctx.region
      ? pass("region", `${ctx.region}${cliRegion ? "" : " (commands pass --region; the CLI has no default)"}`)
      : fail("region", `the AWS CLI defaults to ${cliRegion}, the config says ${ctx.region}`, `export AWS_REGION=${ctx.region}`),
  );
  return results;
}
