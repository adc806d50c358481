// The floor the synth is measured against: a one-resource cdktf app, plain JavaScript run by
// plain node, with the provider class imported by path as the project does.
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { App, TerraformStack } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { Vpc } = require("@cdktf/provider-aws/lib/vpc");

const app = new App({ outdir: mkdtempSync(join(tmpdir(), "bench-floor-")) });
const stack = new TerraformStack(app, "floor");
new AwsProvider(stack, "aws", { region: "ap-northeast-1" });
new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" });
app.synth();
