import { SsmAssociation } from "@cdktf/provider-aws/lib/ssm-association";
import { Construct } from "constructs";
import type { DifySettings } from "./dify-settings";

export interface DifyReloadProps {
  /** Prefix of the association name, e.g. `acme-prod`. */
  readonly namePrefix: string;
  /** Which stack's settings this applies (`edge`, `amplify`). */
  readonly source: string;
  readonly instanceId: string;
  /** The settings whose change should reach the running host. */
  readonly settings: DifySettings;
  /** The same settings' values: a change rewrites the command, so SSM runs it again. */
  readonly fingerprint: string;
}

/**
 * Applies a stack's Dify settings to the running host: a Systems Manager association that runs
 * `systemctl try-reload-or-restart dify.service` (difyctl re-renders .env and lets compose
 * recreate the changed containers) when it is created and whenever the settings change. A host
 * that is not running Dify yet reads the settings when it starts.
 */
export class DifyReload extends Construct {
  constructor(scope: Construct, id: string, props: DifyReloadProps) {
    super(scope, id);
    new SsmAssociation(this, "association", {
      name: "AWS-RunShellScript",
      associationName: `${props.namePrefix}-dify-reload-${props.source}`,
      targets: [{ key: "InstanceIds", values: [props.instanceId] }],
      parameters: {
        commands: `systemctl try-reload-or-restart dify.service # ${props.source} settings: ${props.fingerprint}`,
      },
      dependsOn: [...props.settings.parameters],
    });
  }
}
