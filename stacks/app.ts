import type { App } from "cdktf";
import { smtpPort } from "../config/dify-schema";
import type { CustomerConfig } from "../config/schema";
import { albPort } from "../modules/internal-alb";
import { terraformLiterals } from "../modules/terraform-literal";
import { AmplifyStack } from "./amplify-stack";
import { deploymentOf } from "./deployment";
import { DifyStack } from "./dify-stack";
import { EdgeStack } from "./edge-stack";
import { interfaceEndpointZones } from "./endpoint-zones";
import { NetworkStack } from "./network-stack";
import { StateStack } from "./state-stack";

/** Every stack of one customer environment, in deployment order. */
export interface CustomerStacks {
  readonly state: StateStack;
  readonly network: NetworkStack;
  readonly dify: DifyStack;
  readonly edge: EdgeStack;
  /** Absent when `amplify.enabled` is false. */
  readonly amplify?: AmplifyStack;
}

/**
 * Builds the stacks of one validated customer config into `app`. Every string of the config
 * enters the stacks as a Terraform literal: a value such as `${file("/etc/passwd")}` reaches AWS
 * as those characters, and is never evaluated by Terraform.
 */
export function buildStacks(app: App, customerConfig: CustomerConfig): CustomerStacks {
  const config = terraformLiterals(customerConfig);
  const deployment = deploymentOf(config);
  const state = new StateStack(app, deployment, config.state);
  const apiGateway = config.amplify.enabled && config.amplify.apiGateway.enabled;
  const network = new NetworkStack(app, deployment, config.network, {
    albPort: albPort(config.dify.alb.certificateArn),
    apiGatewayVpcLink: apiGateway,
    endpointZones: interfaceEndpointZones(config),
    smtpPort: smtpPort(config.dify),
  });
  const dify = new DifyStack(app, deployment, config.dify, network.outputs);
  const edge = new EdgeStack(app, deployment, config.edge, dify.outputs, network.outputs);
  const amplify = config.amplify.enabled
    ? new AmplifyStack(app, deployment, config.amplify, {
        network: network.outputs,
        dify: dify.outputs,
        edge: edge.outputs,
        albTlsServerName: config.dify.alb.certificateArn ? config.edge.domainNames[0] : undefined,
      })
    : undefined;
  return { state, network, dify, edge, amplify };
}
