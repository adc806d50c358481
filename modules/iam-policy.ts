/** One statement of an IAM policy document, in AWS's own key casing. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * A policy document as JSON text. Tokens (ARNs of resources not yet created) stay inside the
 * strings and become Terraform references, so the document is reviewable in the synthesized JSON.
 */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy for a role assumed by an AWS service on behalf of this account only. */
export function serviceTrustPolicy(service: string, accountId: string): string {
  return policyDocument([
    {
      Effect: "Allow",
      Principal: { Service: service },
      Action: "sts:AssumeRole",
      // Confused-deputy guard: the service may assume the role only for this account.
      Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    },
  ]);
}
