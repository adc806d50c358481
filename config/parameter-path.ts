import { AWS_REGIONS } from "./aws-lists";

/*
 * Parameter Store's rules for a parameter path (a "hierarchy"), from the AWS documentation:
 *
 * - Systems Manager User Guide, "Understanding parameter name requirements and constraints"
 *   (https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html):
 *   names consist of `a-zA-Z0-9_.-` only, with `/` delineating hierarchies, no spaces; a name in a
 *   hierarchy is written with a leading `/`; a name can't be prefixed with "aws" or "ssm"
 *   (case-insensitive; `/aws/testparam1` fails); a hierarchy has at most fifteen levels.
 * - API Reference, GetParametersByPath `Path`: "Hierarchies start with a forward slash (/). The
 *   hierarchy is the parameter name except the last part of the parameter. [...] A parameter name
 *   hierarchy can have a maximum of 15 levels." So the path alone is limited to 15 levels.
 * - API Reference, PutParameter `Name`: "The maximum length for a parameter name that you specify
 *   is 1011 characters. This count of 1011 characters includes the characters in the ARN that
 *   precede the name you specify."
 *
 * Empty levels (`//`) and a trailing `/` are not names Parameter Store creates, and a trailing `/`
 * would turn the names derived below into `...//lambda-subnet-ids`; both are refused too.
 */

/** Levels a hierarchy may have (the path, without the parameter's own last part). */
const MAX_LEVELS = 15;
/** Longest parameter name, counted together with the ARN text before it. */
const MAX_NAME_WITH_ARN = 1011;
/**
 * What precedes a hierarchical name in its ARN (the name's own leading `/` completes
 * `parameter/`). The templates resolve the names in whichever account and region deploys them, so
 * budget for the longest region name of the commercial partition; account IDs are 12 digits.
 */
const ARN_BEFORE_NAME_LENGTH =
  "arn:aws:ssm:".length + Math.max(...[...AWS_REGIONS].map((region) => region.length)) + ":123456789012:parameter".length;

/**
 * Why `path` is not a Parameter Store path under which `leaves` can be created, as a phrase to
 * follow the quoted path (e.g. `must start with "/"`), or undefined when it is one.
 *
 * The character rule is also what keeps the path inert where it ends up: as a JSON string in a
 * CloudFormation template (a parameter's Default) and inside IAM ARNs. With only `a-zA-Z0-9_.-/`
 * it can hold no quote, backslash, brace, colon or space, so it can neither leave its JSON string
 * nor form a `{{resolve:...}}` dynamic reference, an intrinsic function or an ARN wildcard.
 */
export function parameterPathProblem(path: string, leaves: readonly string[]): string | undefined {
  if (!path.startsWith("/")) return 'must start with "/"';
  const bad = /[^A-Za-z0-9_.\-/]/u.exec(path);
  if (bad) return `contains ${JSON.stringify(bad[0])}: Parameter Store allows only a-zA-Z0-9_.- and "/"`;
  if (path.includes("//")) return 'has an empty level ("//")';
  if (path.endsWith("/")) return 'must not end with "/"';
  if (/^\/(aws|ssm)/i.test(path)) return 'must not begin with "aws" or "ssm" (any case): Parameter Store reserves them';
  const levels = path.split("/").length - 1;
  if (levels > MAX_LEVELS) return `has ${levels} levels: Parameter Store allows at most ${MAX_LEVELS}`;
  const longestLeaf = Math.max(0, ...leaves.map((leaf) => leaf.length));
  const maxPath = MAX_NAME_WITH_ARN - ARN_BEFORE_NAME_LENGTH - "/".length - longestLeaf;
  if (path.length > maxPath) {
    return `is ${path.length} characters: with the parameter names under it, at most ${maxPath} fit Parameter Store's limit`;
  }
  return undefined;
}
