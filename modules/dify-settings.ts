import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";

export interface DifySettingsProps {
  /** The host's Parameter Store path, e.g. `/acme-prod/dify`. */
  readonly parameterPath: string;
  /** Who contributes these settings (`config`, `edge`, `amplify`): names the CORS parameter. */
  readonly source: string;
  /**
   * Dify `.env` keys and values, one parameter each under `<path>/env/`.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Exact browser origins for Dify's CORS settings, one parameter `<path>/cors/<source>`; the
   * host allows the union of every source's origins.
   * @default none
   */
  readonly corsOrigins?: readonly string[];
}

/**
 * Settings a stack hands to the Dify host through Parameter Store. The host (difyctl
 * render-env) reads every parameter under the path at each start of dify.service, so each stack
 * adds its own without the stacks depending on one another in a cycle.
 */
export class DifySettings extends Construct {
  readonly parameters: readonly SsmParameter[];

  constructor(scope: Construct, id: string, props: DifySettingsProps) {
    super(scope, id);
    const env = Object.entries(props.env ?? {}).map(
      ([key, value]) =>
        new SsmParameter(this, `env-${key}`, {
          name: `${props.parameterPath}/env/${key}`,
          type: "String",
          value,
          description: `Dify ${key}, set by the ${props.source} config`,
        }),
    );
    const cors = props.corsOrigins?.length
      ? [
          new SsmParameter(this, "cors", {
            name: `${props.parameterPath}/cors/${props.source}`,
            type: "String",
            value: props.corsOrigins.join(","),
            description: `Browser origins allowed to call Dify, from the ${props.source} config`,
          }),
        ]
      : [];
    this.parameters = [...env, ...cors];
  }
}
