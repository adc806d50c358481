import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { LAMBDA_VPC_PARAMETERS } from "../config/amplify-schema";

export interface LambdaVpcParametersProps {
  /** Parameter Store path, the same in every customer account (e.g. `/amplify/vpc`). */
  readonly path: string;
  /** Private subnets the functions attach to. */
  readonly subnetIds: readonly string[];
  /** The `lambda` security group. */
  readonly securityGroupId: string;
}

/**
 * The VPC settings of the Amplify Gen 1 Lambda functions, published where their CloudFormation
 * templates (edited once by `amplify-vpc`) read them through SSM-typed parameters: the same
 * template then attaches the functions to the right subnets in whichever account deploys it.
 */
export class LambdaVpcParameters extends Construct {
  readonly names: { readonly subnetIds: string; readonly securityGroupIds: string };

  constructor(scope: Construct, id: string, props: LambdaVpcParametersProps) {
    super(scope, id);
    this.names = {
      subnetIds: `${props.path}/${LAMBDA_VPC_PARAMETERS.subnetIds}`,
      securityGroupIds: `${props.path}/${LAMBDA_VPC_PARAMETERS.securityGroupIds}`,
    };
    new SsmParameter(this, "subnet-ids", {
      name: this.names.subnetIds,
      type: "StringList",
      value: props.subnetIds.join(","),
      description: "Private subnets of the Amplify Lambda functions (VpcConfig.SubnetIds)",
    });
    new SsmParameter(this, "security-group-ids", {
      name: this.names.securityGroupIds,
      type: "StringList",
      value: props.securityGroupId,
      description: "Security group of the Amplify Lambda functions (VpcConfig.SecurityGroupIds)",
    });
  }
}
