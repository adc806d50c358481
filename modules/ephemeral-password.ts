import { TerraformElement, Token, ref } from "cdktf";
import type { Construct } from "constructs";

export interface EphemeralPasswordProps {
  /** Number of characters. */
  readonly length: number;
}

/**
 * `ephemeral "random_password"` (random provider >= 3.7.1, Terraform >= 1.10): a password that
 * Terraform generates during an operation and never stores in plan or state. It can only feed
 * write-only arguments such as `secret_string_wo`. cdktf 0.21 has no class for ephemeral
 * blocks, so this element writes its own. Alphanumeric only: the values end up in URLs and
 * .env lines.
 */
export class EphemeralPassword extends TerraformElement {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: EphemeralPasswordProps,
  ) {
    super(scope, id, "ephemeral.random_password");
  }

  /** Reference to the generated value, for a write-only argument. */
  get result(): string {
    return Token.asString(ref(`ephemeral.random_password.${this.friendlyUniqueId}.result`, this.cdktfStack));
  }

  override toTerraform(): unknown {
    return {
      ephemeral: {
        random_password: {
          [this.friendlyUniqueId]: { length: this.props.length, special: false },
        },
      },
    };
  }
}
