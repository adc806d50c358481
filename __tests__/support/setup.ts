import "../../stacks/cdktf-node-compat";
import { Testing } from "cdktf";
import "cdktf/lib/testing/adapters/jest";

// Registers toHaveResourceWithProperties and the other cdktf matchers (snake_case keys).
Testing.setupJest();
