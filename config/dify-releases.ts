import keys_1_16_0 from "./dify-keys/1.16.0.txt";
import keys_1_16_1 from "./dify-keys/1.16.1.txt";
import { nameList } from "./name-list";

/** A Dify release this project has verified: the commit its tag points to and the keys it reads. */
export interface DifyRelease {
  /** Full commit SHA of the tag; the host refuses a checkout whose HEAD differs. */
  readonly commit: string;
  /** Every key of the release's docker env files (`config/dify-keys/<tag>.txt`). */
  readonly envKeys: ReadonlySet<string>;
}

/**
 * Releases whose tag commit was read from git (github.com/langgenius/dify tags, cross-checked in
 * two mirrors). Tags have no `v`. To add one: read `git ls-remote https://github.com/langgenius/dify
 * refs/tags/<tag>`, extract its keys into config/dify-keys/<tag>.txt, and add it here.
 */
export const DIFY_RELEASES: Readonly<Record<string, DifyRelease>> = {
  "1.16.1": { commit: "6f8ed69ee15f9a2e7189ca066275e973d091d1e9", envKeys: nameList(keys_1_16_1) },
  "1.16.0": { commit: "5c6372d2f76d240265b92fd27c16bc772ffcb107", envKeys: nameList(keys_1_16_0) },
};

/** The newest verified release: the default `dify.version`. */
export const DEFAULT_DIFY_VERSION = "1.16.1";
