import { loadConfig, type LoadedConfig } from "../config/load";
import { resourceNames } from "../stacks/resource-names";
import { deploymentOf, type Deployment } from "../stacks/deployment";
import { customerConfigFile } from "./config-file";

/** What every operations command knows: the customer file, its names and region. */
export interface OpsContext {
  readonly loaded: LoadedConfig;
  readonly deployment: Deployment;
  readonly names: ReturnType<typeof resourceNames>;
  readonly region: string;
}

/** Loads the customer config named by --config or CUSTOMER_CONFIG (the same file synth reads). */
export function opsContext(configFile: string | undefined): OpsContext {
  const loaded = loadConfig(customerConfigFile(configFile));
  const deployment = deploymentOf(loaded.config);
  return { loaded, deployment, names: resourceNames(deployment.namePrefix), region: deployment.region };
}
