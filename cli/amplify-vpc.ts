import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { applyEdits, modify, parse, printParseErrorCode, type FormattingOptions, type ParseError } from "jsonc-parser";
import { DEFAULT_LAMBDA_PARAMETER_PATH, LAMBDA_VPC_PARAMETERS } from "../config/amplify-schema";
import { UserError } from "./user-error";

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
 */
export function attachFunctionsToVpc(options: AmplifyVpcOptions): FunctionReport[] {
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
  const available = readdirSync(functionsDir).filter((name) => statSync(join(functionsDir, name)).isDirectory()).sort();
  const names = options.functions ?? available;
  const unknown = names.filter((name) => !available.includes(name));
  if (unknown.length > 0) {
    throw new UserError(
      `function ${unknown.join(", ")} not found in amplify/backend/function`,
      `use one of ${available.join(", ") || "(none: the app has no functions)"}, or omit --function for all`,
    );
  }
  const path = options.parameterPath ?? DEFAULT_LAMBDA_PARAMETER_PATH;
  // Every template is read and edited in memory first: one bad template writes nothing at all.
  const edits = names.map((name) => {
    const file = join(functionsDir, name, `${name}-cloudformation-template.json`);
    if (!existsSync(file)) {
      throw new UserError(`${relative(options.repo, file)} does not exist`, `run \`amplify pull\` so the function's template is in the repository`);
    }
    const text = readFileSync(file, "utf8");
    return { name, file, text, edited: attachTemplate(text, relative(options.repo, file), path) };
  });
  return edits.map(({ name, file, text, edited }) => {
    const changed = !options.check && edited.text !== text;
    if (changed) writeFileSync(file, edited.text);
    return { function: name, template: relative(options.repo, file), missing: edited.missing, changed };
  });
}

/** The edits for one template's text: the new text and the names of the pieces that were missing. */
export function attachTemplate(text: string, where: string, parameterPath: string): { text: string; missing: string[] } {
  const errors: ParseError[] = [];
  const template = parse(text, errors, { allowTrailingComma: false }) as Json;
  if (errors.length > 0) {
    const first = errors[0]!;
    const line = text.slice(0, first.offset).split("\n").length;
    throw new UserError(`${where}:${line}: not valid JSON (${printParseErrorCode(first.error)})`, "fix the template or restore it with `amplify pull`");
  }
  const resources = (template.Resources ?? {}) as Record<string, Json>;
  const fn = resources.LambdaFunction;
  const role = resources.LambdaExecutionRole;
  if (fn?.Type !== "AWS::Lambda::Function" || role?.Type !== "AWS::IAM::Role") {
    throw new UserError(
      `${where}: expected Resources.LambdaFunction (AWS::Lambda::Function) and Resources.LambdaExecutionRole (AWS::IAM::Role) as the Amplify CLI writes them`,
      "attach this function by hand, or regenerate its template with `amplify update function`",
    );
  }

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
