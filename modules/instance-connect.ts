import { Ec2InstanceConnectEndpoint } from "@cdktf/provider-aws/lib/ec2-instance-connect-endpoint";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import { policyDocument } from "./iam-policy";

export interface InstanceConnectProps {
  /** Prefix of the policy name, e.g. `acme-prod`. */
  readonly namePrefix: string;
  /** Private subnet of the endpoint (the host's). */
  readonly subnetId: string;
  /** The `eic` security group: egress 22 to the host only. */
  readonly securityGroupId: string;
  /** The one instance operators may reach, and the OS user they log in as. */
  readonly instance: { readonly arn: string; readonly privateIp: string };
  /** @default "ec2-user" */
  readonly osUser?: string;
}

/**
 * Runbook section 2.8: an EC2 Instance Connect Endpoint for SSH to the private host without a
 * public IP or bastion, and a managed policy to attach to operators that opens a tunnel through
 * this endpoint to this host's port 22 only, instead of the runbook's `Resource: "*"`.
 */
export class InstanceConnect extends Construct {
  readonly endpoint: Ec2InstanceConnectEndpoint;
  readonly operatorPolicy: IamPolicy;

  constructor(scope: Construct, id: string, props: InstanceConnectProps) {
    super(scope, id);
    this.endpoint = new Ec2InstanceConnectEndpoint(this, "endpoint", {
      subnetId: props.subnetId,
      securityGroupIds: [props.securityGroupId],
      preserveClientIp: false,
      tags: { Name: `${props.namePrefix}-dify-eic` },
    });
    this.operatorPolicy = new IamPolicy(this, "operator-policy", {
      name: `${props.namePrefix}-dify-instance-connect`,
      description: "SSH to the Dify host through its EC2 Instance Connect Endpoint",
      policy: policyDocument([
        {
          Sid: "OpenTunnelToDifySsh",
          Effect: "Allow",
          Action: "ec2-instance-connect:OpenTunnel",
          Resource: this.endpoint.arn,
          Condition: {
            NumericEquals: { "ec2-instance-connect:remotePort": "22" },
            IpAddress: { "ec2-instance-connect:privateIpAddress": `${props.instance.privateIp}/32` },
          },
        },
        {
          Sid: "SendKeyToDifyHost",
          Effect: "Allow",
          Action: "ec2-instance-connect:SendSSHPublicKey",
          Resource: props.instance.arn,
          Condition: { StringEquals: { "ec2:osuser": props.osUser ?? "ec2-user" } },
        },
        {
          Sid: "FindEndpointAndHost",
          Effect: "Allow",
          // Describe calls cannot be limited to resources.
          Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceConnectEndpoints"],
          Resource: "*",
        },
      ]),
    });
  }
}
