#!/usr/bin/env node
// The day-2 CLI: builds dist/ when the sources changed, then runs it.
require("../scripts/build.js");
require("../dist/cli.js").main();
