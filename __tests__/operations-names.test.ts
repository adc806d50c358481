import { resourceNames } from "../stacks/resource-names";
import { resourcesOf, synthJson } from "./support/synth";

// The operations CLI finds resources by the names in stacks/resource-names.ts; the stacks must
// create them with exactly those names.
describe("names the operations CLI relies on", () => {
  const stacks = synthJson();
  const names = resourceNames("example-prod");
  const only = (stack: string, type: string) => resourcesOf(stacks[stack]!, type);

  test("the Dify instance's Name tag, and its target group", () => {
    expect(only("dify", "aws_instance")[0].tags.Name).toBe(names.difyHost);
    expect(only("dify", "aws_lb_target_group")[0].name).toBe(names.difyHost);
  });

  test("parameters under the host's path, the secret, the data volume's tag", () => {
    for (const parameter of only("dify", "aws_ssm_parameter")) expect(parameter.name.startsWith(`${names.difyParameterPath}/`)).toBe(true);
    expect(only("dify", "aws_secretsmanager_secret")[0].name).toBe(names.difySecret);
    expect(only("dify", "aws_ebs_volume")[0].tags["dify-backup"]).toBe(names.dataVolumeTag);
    expect(only("dify", "aws_dlm_lifecycle_policy")[0].policy_details.schedule[0].tags_to_add).toEqual({ "snapshot-of": names.dataVolumeTag });
  });

  test("every alarm starts with the alarm prefix", () => {
    for (const alarm of only("dify", "aws_cloudwatch_metric_alarm")) expect(alarm.alarm_name.startsWith(names.alarmPrefix)).toBe(true);
  });

  test("the distribution's comment and the Amplify app's name", () => {
    expect(only("edge", "aws_cloudfront_distribution")[0].comment).toBe(names.distributionComment);
    expect(only("amplify", "aws_amplify_app")[0].name).toBe(names.amplifyApp);
  });
});
