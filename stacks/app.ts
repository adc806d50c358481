import type { App } from "cdktf";
import type { CustomerConfig } from "../config/schema";
import { albPort } from "../modules/internal-alb";
import { deploymentOf } from "./deployment";
import { DifyStack } from "./dify-stack";
import { EdgeStack } from "./edge-stack";
import { NetworkStack } from "./network-stack";
import { StateStack } from "./state-stack";

/** Every stack of one customer environment, in deployment order. */
export interface CustomerStacks {
  readonly state: StateStack;
  readonly network: NetworkStack;
  readonly dify: DifyStack;
  readonly edge: EdgeStack;
}

/** Builds the stacks of one validated customer config into `app`. */
export function buildStacks(app: App, config: CustomerConfig): CustomerStacks {
  const deployment = deploymentOf(config);
  const state = new StateStack(app, deployment, config.state);
  const network = new NetworkStack(app, deployment, config.network, albPort(config.dify.alb.certificateArn));
  const dify = new DifyStack(app, deployment, config.dify, network.outputs);
  const edge = new EdgeStack(app, deployment, config.edge, dify.outputs, network.outputs);
  return { state, network, dify, edge };
}
