import { CreateSubnetCommand, CreateVpcCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { customerFile } from "./cli";
import { startSsmFront, type SsmFront } from "./ssm-front";
import { startMoto, type MotoServer } from "./tools";

export const REGION = "ap-northeast-1";
/** The account moto answers as. */
export const MOTO_ACCOUNT = "123456789012";

/**
 * What the operations commands find deployed: moto's server as the AWS API (with the SSM front
 * for the instance side), a VPC with one private subnet, and the example's Dify instance there.
 * The process environment points the SDK at them until `stop()`.
 */
export interface OpsWorld {
  readonly moto: MotoServer;
  readonly ssmFront: SsmFront;
  readonly vpcId: string;
  readonly instanceId: string;
  stop(): Promise<void>;
}

export async function startOpsWorld(): Promise<OpsWorld> {
  const savedEnv = { ...process.env };
  const moto = await startMoto();
  const ssmFront = await startSsmFront(moto.endpoint);
  Object.assign(process.env, moto.env, { AWS_ENDPOINT_URL_SSM: ssmFront.endpoint, AWS_REGION: REGION });
  delete process.env.AWS_DEFAULT_REGION;
  const ec2 = new EC2Client({ region: REGION });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.13.0.0/18" }))).Vpc!.VpcId!;
  const subnet = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.13.16.0/20" }))).Subnet!.SubnetId!;
  const instances = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnet,
      TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Name", Value: "example-prod-dify" }] }],
    }),
  );
  return {
    moto,
    ssmFront,
    vpcId,
    instanceId: instances.Instances![0]!.InstanceId!,
    async stop() {
      await ssmFront.stop();
      await moto.stop();
      process.env = savedEnv;
    },
  };
}

/** A customer file for the moto account, with `change` applied. */
export function motoConfigFile(change: (data: Record<string, any>) => void = () => {}): string {
  return customerFile((data) => {
    data.aws.accountId = MOTO_ACCOUNT;
    change(data);
  });
}
