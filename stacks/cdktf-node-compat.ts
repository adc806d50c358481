import util from "node:util";

// cdktf 0.21, its last release, tests values with util.isArray, which Node 22 and later deprecate
// at run time (DEP0044): on Node 24 each synth would print a DeprecationWarning to stderr.
// Array.isArray is the replacement Node documents, and the same test. Imported for its effect by
// every program that synthesizes (main.ts, docs-gen/main.ts, the tests' setup).
(util as { isArray: (value: unknown) => boolean }).isArray = Array.isArray;
