import { UserError } from "./user-error";

const EXAMPLE_PATH = "customers/<customer>-<env>.yaml";

/**
 * The customer config to load: `--config` if given, else CUSTOMER_CONFIG, else `fallback`
 * (synth's example). A name that is set but empty is a mistake, not a request for the
 * default: `CUSTOMER_CONFIG=$UNSET_VARIABLE` would otherwise synthesize the example unnoticed.
 */
export function customerConfigFile(option: string | undefined, fallback?: string): string {
  if (option !== undefined) {
    if (option.trim() === "") throw new UserError("--config names no file (it is empty)", `pass --config ${EXAMPLE_PATH}`);
    return option;
  }
  const variable = process.env.CUSTOMER_CONFIG;
  if (variable !== undefined) {
    if (variable.trim() === "") {
      throw new UserError(
        "CUSTOMER_CONFIG is set but empty",
        fallback ? `set CUSTOMER_CONFIG=${EXAMPLE_PATH}, or unset it to use ${fallback}` : `set CUSTOMER_CONFIG=${EXAMPLE_PATH}, or pass --config`,
      );
    }
    return variable;
  }
  if (fallback) return fallback;
  throw new UserError("no customer config named", `pass --config ${EXAMPLE_PATH} or set CUSTOMER_CONFIG`);
}
