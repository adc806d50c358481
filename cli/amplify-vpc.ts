import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isAbsolute, join, relative, sep } from "node:path";
import { applyEdits, modify, type FormattingOptions } from "jsonc-parser";
import { DEFAULT_LAMBDA_PARAMETER_PATH, LAMBDA_VPC_PARAMETERS } from "../config/amplify-schema";
import { parameterPathProblem } from "../config/parameter-path";
import { decodeUtf8, encodeUtf8, parseStrictJson } from "./strict-json";
import { UserError } from "./user-error";
import { writeAllOrNothing } from "./write-all-or-nothing";

/** The managed policy that lets a function create its ENIs in the VPC. */
export const LAMBDA_VPC_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

/** Template parameters the edit adds; their defaults are the Parameter Store names. */
export const TEMPLATE_PARAMETERS = { subnetIds: "LambdaVpcSubnetIds", securityGroupIds: "LambdaVpcSecurityGroupIds" } as const;

export interface AmplifyVpcOptions {
  /** Path of the Amplify Gen 1 app repository. */
  readonly repo: string;
  /** Functions to attach; every function of the app when undefined. */
  readonly functions?: readonly string[];
  /** Parameter Store path the amplify stack publishes to. @default "/amplify/vpc" */
  readonly parameterPath?: string;
  /** Report what is missing and write nothing. @default false */
  readonly check?: boolean;
}

/** One function template and what the run found or did. */
export interface FunctionReport {
  readonly function: string;
  /** Template path relative to the repository. */
  readonly template: string;
  /** Pieces that were missing (and were added, unless checking). */
  readonly missing: readonly string[];
  /** True when the file was rewritten. */
  readonly changed: boolean;
}

type Json = Record<string, unknown>;

/**
 * Attaches Amplify Gen 1 Lambda functions to the VPC in their CloudFormation templates, the
 * replacement for runbook 3.3's console clicks: two parameters typed
 * `AWS::SSM::Parameter::Value<List<String>>` whose defaults name the Parameter Store entries
 * (resolved in whichever account deploys), `VpcConfig` on `LambdaFunction`, and
 * AWSLambdaVPCAccessExecutionRole on `LambdaExecutionRole` (not in AmplifyResourcesPolicy, which
 * the Amplify CLI rewrites). Everything else in the file, formatting included, stays as it was;
 * a second run changes nothing.
 *
 * It writes only where it should, and all or nothing: templates must resolve inside the
 * repository, be valid UTF-8 (a BOM is kept) and JSON without duplicate keys, and are replaced
 * together through temporaries; any problem is a UserError and leaves every file as it was.
 */
export function attachFunctionsToVpc(options: AmplifyVpcOptions): FunctionReport[] {
  const parameterPath = options.parameterPath ?? DEFAULT_LAMBDA_PARAMETER_PATH;
  const pathProblem = parameterPathProblem(parameterPath, Object.values(LAMBDA_VPC_PARAMETERS));
  if (pathProblem !== undefined) {
    throw new UserError(
      `--parameter-path ${JSON.stringify(parameterPath)} ${pathProblem}`,
      `use the config's amplify.lambdaParameterPath, written as /segment/segment (default "${DEFAULT_LAMBDA_PARAMETER_PATH}")`,
    );
  }
  const functionsDir = join(options.repo, "amplify", "backend", "function");
  if (!existsSync(options.repo) || !statSync(options.repo).isDirectory()) {
    throw new UserError(`${options.repo} is not a directory`, "give the path of the Amplify Gen 1 app's repository");
  }
  if (!existsSync(functionsDir)) {
    throw new UserError(
      `${options.repo} has no amplify/backend/function: not an Amplify Gen 1 app with functions`,
      "point at the repository root of the Gen 1 app (Gen 2 apps attach functions in CDK: see docs/amplify-gen2.md)",
    );
  }
  // A dangling symlink is no function (statSync would throw on it).
  const available = readdirSync(functionsDir)
    .filter((name) => statSync(join(functionsDir, name), { throwIfNoEntry: false })?.isDirectory())
    .sort();
  const names = options.functions ?? available;
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `function ${unknown.join(", ")} not found in amplify/backend/function`,
      `use one of ${available.join(", ") || "(none: the app has no functions)"}, or omit --function for all`,
    );
  }
  const root = realpathSync(options.repo);
  // Every template is read and edited in memory first: one bad template writes nothing at all.
  const edits = names.map((name) => {
    const file = join(functionsDir, name, `${name}-cloudformation-template.json`);
    const where = relative(options.repo, file);
    if (!existsSync(file)) {
      throw new UserError(`${where} does not exist`, `run \`amplify pull\` so the function's template is in the repository`);
    }
    const real = realPathInside(root, file, where);
    const original = readTemplate(real, where);
    const decoded = decodeUtf8(original, where);
    const edited = attachTemplate(decoded.text, where, parameterPath);
    return { name, where, real, original, data: encodeUtf8({ ...decoded, text: edited.text }), edited, changed: edited.text !== decoded.text };
  });
  if (!options.check) {
    writeAllOrNothing(edits.filter((e) => e.changed).map((e) => ({ path: e.real, label: e.where, data: e.data, original: e.original })));
  }
  return edits.map((e) => ({ function: e.name, template: e.where, missing: e.edited.missing, changed: !options.check && e.changed }));
}

/**
 * The real path of `file`, refusing one that resolves outside the repository: a symlinked
 * template or function directory would otherwise have the tool rewrite a file elsewhere (another
 * checkout, a shared directory). Writing to the real path also keeps a symlink inside the
 * repository a symlink.
 */
function realPathInside(root: string, file: string, where: string): string {
  const real = realpathSync(file);
  const rel = relative(root, real);
  if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new UserError(
      `${where} resolves to ${real}, outside the repository ${root}`,
      "replace the symlink with the file itself: amplify-vpc only edits files inside the repository",
    );
  }
  return real;
}

/** The template's bytes; a directory or an unreadable file is the user's to fix, not a crash. */
function readTemplate(real: string, where: string): Buffer {
  if (!statSync(real).isFile()) {
    throw new UserError(`${where} is not a regular file`, "restore the function's template with `amplify pull`");
  }
  try {
    return readFileSync(real);
  } catch (error) {
    throw new UserError(`cannot read ${where}: ${(error as Error).message}`, "make the template readable, then run the command again");
  }
}

/** The edits for one template's text: the new text and the names of the pieces that were missing. */
function attachTemplate(text: string, where: string, parameterPath: string): { text: string; missing: string[] } {
  const template = parseStrictJson(text, where) as Json;
  const resources = (template.Resources ?? {}) as Record<string, Json>;
  const fn = resources.LambdaFunction;
  const role = resources.LambdaExecutionRole;
  if (fn?.Type !== "AWS::Lambda::Function" || role?.Type !== "AWS::IAM::Role") {
    throw new UserError(
      `${where}: expected Resources.LambdaFunction (AWS::Lambda::Function) and Resources.LambdaExecutionRole (AWS::IAM::Role) as the Amplify CLI writes them`,
      "attach this function by hand, or regenerate its template with `amplify update function`",
    );
  }

  // The path was validated by parameterPathProblem (nothing but a-zA-Z0-9_.-/) and modify()
  // writes it as a JSON string: it stays a plain Parameter Store name in the Default.
  const want = {
    subnets: {
      Type: "AWS::SSM::Parameter::Value<List<String>>",
      Default: `${parameterPath}/${LAMBDA_VPC_PARAMETERS.subnetIds}`,
      Description: "Private subnets of the function (Parameter Store entry published by amplify-dify-vpc)",
    },
    securityGroups: {
      Type: "AWS::SSM::Parameter::Value<List<String>>",
      Default: `${parameterPath}/${LAMBDA_VPC_PARAMETERS.securityGroupIds}`,
      Description: "Security group of the function (Parameter Store entry published by amplify-dify-vpc)",
    },
    vpcConfig: {
      SubnetIds: { Ref: TEMPLATE_PARAMETERS.subnetIds },
      SecurityGroupIds: { Ref: TEMPLATE_PARAMETERS.securityGroupIds },
    },
  };
  const parameters = (template.Parameters ?? {}) as Json;
  const properties = (fn.Properties ?? {}) as Json;
  const existingVpc = properties.VpcConfig;
  if (existingVpc !== undefined && !sameJson(existingVpc, want.vpcConfig)) {
    throw new UserError(
      `${where}: LambdaFunction already has a VpcConfig that does not come from this tool`,
      "remove that VpcConfig (it pins account-specific IDs) and run the command again",
    );
  }
  const policies = ((role.Properties ?? {}) as Json).ManagedPolicyArns;
  if (policies !== undefined && !Array.isArray(policies)) {
    throw new UserError(`${where}: LambdaExecutionRole.Properties.ManagedPolicyArns is not a list`, "make it a JSON array of policy ARNs");
  }

  const formatting = formattingOf(text);
  const missing: string[] = [];
  let result = text;
  const set = (label: string, jsonPath: (string | number)[], value: unknown, insert = false) => {
    missing.push(label);
    result = applyEdits(result, modify(result, jsonPath, value, { formattingOptions: formatting, isArrayInsertion: insert }));
  };
  if (!sameJson(parameters[TEMPLATE_PARAMETERS.subnetIds], want.subnets)) {
    set(`Parameters.${TEMPLATE_PARAMETERS.subnetIds}`, ["Parameters", TEMPLATE_PARAMETERS.subnetIds], want.subnets);
  }
  if (!sameJson(parameters[TEMPLATE_PARAMETERS.securityGroupIds], want.securityGroups)) {
    set(`Parameters.${TEMPLATE_PARAMETERS.securityGroupIds}`, ["Parameters", TEMPLATE_PARAMETERS.securityGroupIds], want.securityGroups);
  }
  if (existingVpc === undefined) {
    set("LambdaFunction.VpcConfig", ["Resources", "LambdaFunction", "Properties", "VpcConfig"], want.vpcConfig);
  }
  const rolePath = ["Resources", "LambdaExecutionRole", "Properties", "ManagedPolicyArns"];
  if (policies === undefined) {
    set("LambdaExecutionRole.AWSLambdaVPCAccessExecutionRole", rolePath, [LAMBDA_VPC_POLICY_ARN]);
  } else if (!(policies as unknown[]).includes(LAMBDA_VPC_POLICY_ARN)) {
    set("LambdaExecutionRole.AWSLambdaVPCAccessExecutionRole", [...rolePath, (policies as unknown[]).length], LAMBDA_VPC_POLICY_ARN, true);
  }
  return { text: result, missing };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Indentation and line ends the file already uses, so the edits look like the rest of it. */
function formattingOf(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? "  ";
  return {
    insertSpaces: !indent.startsWith("\t"),
    tabSize: indent.startsWith("\t") ? 1 : indent.length,
    eol: text.includes("\r\n") ? "\r\n" : "\n",
  };
}
