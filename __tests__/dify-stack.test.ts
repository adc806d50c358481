import { gunzipSync } from "node:zlib";
import { DlmLifecyclePolicy } from "@cdktf/provider-aws/lib/dlm-lifecycle-policy";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { Ec2InstanceConnectEndpoint } from "@cdktf/provider-aws/lib/ec2-instance-connect-endpoint";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import { exampleConfig } from "./support/config";
import { onlyResource as one, resourcesOf, synthAll, synthJson, type StackJson } from "./support/synth";

const text = synthAll().dify!;
const dify: StackJson = JSON.parse(text);

const withCertificate = () =>
  synthJson(
    exampleConfig((d) => {
      d.dify = { alb: { certificateArn: "arn:aws:acm:ap-northeast-1:111111111111:certificate/12345678-1234-1234-1234-123456789012" } };
      d.edge = {
        domainNames: ["dify.example.com"],
        certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012",
      };
    }),
  );
/** The remote-state output name a cross-stack reference reads, e.g. "...aws_subnetvpcprivate-ap-northeast-1a...id". */
const remoteOutput = (expression: string) => /outputs\.([^}]+)\}$/.exec(expression)?.[1] ?? expression;

describe("dify stack: instance", () => {
  const template = one(dify, "aws_launch_template");

  test("launch template: AL2023 AMI from the SSM public parameter, t3.large by default", () => {
    expect(template.instance_type).toBe("t3.large");
    expect(template.image_id).toMatch(/^\$\{data\.aws_ssm_parameter\.[^.]+\.insecure_value\}$/);
    expect(Object.values(dify.data!.aws_ssm_parameter!)[0].name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
  });

  test("the AMI read from SSM is kept: a new AL2023 release never replaces the host; a pinned one is followed", () => {
    expect(template.lifecycle).toEqual({ ignore_changes: ["image_id"] });
    const pinned = one(synthJson(exampleConfig((d) => (d.dify = { amiId: "ami-0123456789abcdef0" }))).dify!, "aws_launch_template");
    expect(pinned.lifecycle).toBeUndefined();
  });

  test("a Graviton type reads the arm64 AMI; a pinned AMI reads none", () => {
    const arm = synthJson(exampleConfig((d) => (d.dify = { instanceType: "t4g.large" }))).dify!;
    expect(Object.values(arm.data!.aws_ssm_parameter!)[0].name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    const pinned = synthJson(exampleConfig((d) => (d.dify = { amiId: "ami-0123456789abcdef0" }))).dify!;
    expect(pinned.data?.aws_ssm_parameter).toBeUndefined();
    expect(one(pinned, "aws_launch_template").image_id).toBe("ami-0123456789abcdef0");
  });

  test("private subnet of the configured zone, dify security group, no public IP", () => {
    const [nic] = template.network_interfaces;
    expect(nic.associate_public_ip_address).toBe("false");
    expect(remoteOutput(nic.subnet_id)).toContain("private-ap-northeast-1a");
    expect(remoteOutput(nic.security_groups[0])).toContain("security-groups_dify");
    const inC = one(synthJson(exampleConfig((d) => (d.dify = { zone: "ap-northeast-1c" }))).dify!, "aws_launch_template");
    expect(remoteOutput(inC.network_interfaces[0].subnet_id)).toContain("private-ap-northeast-1c");
  });

  test("the data volume follows dify.zone: a volume in another zone could never attach", () => {
    const inC = synthJson(exampleConfig((d) => (d.dify = { zone: "ap-northeast-1c" }))).dify!;
    expect(remoteOutput(one(inC, "aws_ebs_volume").availability_zone)).toContain("ap-northeast-1c");
  });

  test("IMDSv2 only, one hop (containers cannot reach the credentials), EBS-optimized, detailed monitoring", () => {
    expect(template.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 });
    expect(template.ebs_optimized).toBe("true");
    expect(template.monitoring).toEqual({ enabled: true });
  });

  test("encrypted gp3 root volume of 30 GiB", () => {
    expect(template.block_device_mappings).toEqual([
      { device_name: "/dev/xvda", ebs: { volume_size: 30, volume_type: "gp3", encrypted: "true", delete_on_termination: "true" } },
    ]);
  });

  test("the instance comes from the template's latest version", () => {
    const instance = one(dify, "aws_instance");
    expect(instance.launch_template.id).toMatch(/aws_launch_template\.[^.]+\.id/);
    expect(instance.launch_template.version).toMatch(/aws_launch_template\.[^.]+\.latest_version/);
  });

  test("separate encrypted gp3 data volume in the instance's zone, attached, protected from destroy, tagged for snapshots", () => {
    expect(text).toHaveResourceWithProperties(EbsVolume, {
      size: 50,
      type: "gp3",
      encrypted: true,
      lifecycle: { prevent_destroy: true },
      tags: { Name: "example-prod-dify-data", "dify-backup": "example-prod-data" },
    });
    expect(remoteOutput(one(dify, "aws_ebs_volume").availability_zone)).toBe("ap-northeast-1a");
    expect(text).toHaveResourceWithProperties(VolumeAttachment, { device_name: "/dev/sdf", stop_instance_before_detaching: true });
  });

  test("sizes and destroy protection follow the config", () => {
    const sized = synthJson(
      exampleConfig((d) => (d.dify = { instanceType: "m7i.xlarge", rootVolumeGiB: 40, dataVolume: { sizeGiB: 200, preventDestroy: false } })),
    ).dify!;
    expect(one(sized, "aws_launch_template").instance_type).toBe("m7i.xlarge");
    expect(one(sized, "aws_launch_template").block_device_mappings[0].ebs.volume_size).toBe(40);
    expect(one(sized, "aws_ebs_volume").size).toBe(200);
    expect(one(sized, "aws_ebs_volume").lifecycle).toEqual({ prevent_destroy: false });
  });

  test("the instance waits for its secret, settings and log groups, which the user data does not reference", () => {
    const dependsOn: string[] = one(dify, "aws_instance").depends_on;
    expect(dependsOn).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_secretsmanager_secret_version\./),
        expect.stringMatching(/^aws_ssm_parameter\.host_release/),
        expect.stringMatching(/^aws_ssm_parameter\.host_data-volume-id/),
        expect.stringMatching(/^aws_ssm_parameter\.settings_env-VECTOR_STORE/),
        expect.stringMatching(/^aws_cloudwatch_log_group\.host_container-logs/),
        expect.stringMatching(/^aws_iam_role_policy\.host_own-settings/),
      ]),
    );
  });
});

describe("dify stack: IAM", () => {
  const role = resourcesOf(dify, "aws_iam_role").find((r) => r.name === "example-prod-dify");

  test("an EC2 role with the SSM and CloudWatch agent managed policies", () => {
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    const attached = resourcesOf(dify, "aws_iam_role_policy_attachment").map((a) => a.policy_arn);
    expect(attached).toEqual(
      expect.arrayContaining([
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
      ]),
    );
  });

  test("reads its own secret only, through the Secrets Manager endpoint, and its own parameters", () => {
    const inline = resourcesOf(dify, "aws_iam_role_policy").find((p) => p.name === "read-own-secret-and-settings");
    const statements = JSON.parse(inline.policy).Statement;
    const [secret, settings] = ["ReadOwnSecret", "ReadOwnSettings"].map((sid) => statements.find((s: any) => s.Sid === sid));
    expect(secret).toEqual({
      Sid: "ReadOwnSecret",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: expect.stringMatching(/^\$\{aws_secretsmanager_secret\.secrets_secret_[^.]+\.arn\}$/),
      Condition: { StringEquals: { "aws:SourceVpce": expect.stringContaining("interface-secretsmanager") } },
    });
    expect(settings.Resource).toEqual([
      "arn:aws:ssm:ap-northeast-1:111111111111:parameter/example-prod/dify",
      "arn:aws:ssm:ap-northeast-1:111111111111:parameter/example-prod/dify/*",
    ]);
    expect(settings.Action).toEqual(["ssm:GetParameter", "ssm:GetParametersByPath"]);
  });

  test("Docker Hub credentials: the named secret is readable, through the endpoint, and named in host.env", () => {
    const withHub = synthJson(exampleConfig((d) => (d.dify = { dockerHubSecretName: "dify/docker-hub" }))).dify!;
    const inline = resourcesOf(withHub, "aws_iam_role_policy").find((p) => p.name === "read-own-secret-and-settings");
    expect(JSON.parse(inline.policy).Statement[1]).toEqual({
      Sid: "ReadDockerHubCredentials",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: "arn:aws:secretsmanager:ap-northeast-1:111111111111:secret:dify/docker-hub-??????",
      Condition: { StringEquals: { "aws:SourceVpce": expect.stringContaining("interface-secretsmanager") } },
    });
    const userData = gunzipSync(Buffer.from(one(withHub, "aws_launch_template").user_data, "base64")).toString("utf8");
    expect(userData).toContain("DOCKER_HUB_SECRET_ID=dify/docker-hub\n");
    const anonymous = synthJson(exampleConfig((d) => delete d.dify.dockerHubSecretName)).dify!;
    const without = resourcesOf(anonymous, "aws_iam_role_policy").find((p) => p.name === "read-own-secret-and-settings");
    expect(JSON.parse(without.policy).Statement.map((s: any) => s.Sid)).toEqual(["ReadOwnSecret", "ReadOwnSettings"]);
    expect(gunzipSync(Buffer.from(one(anonymous, "aws_launch_template").user_data, "base64")).toString("utf8")).toContain("DOCKER_HUB_SECRET_ID=\n");
  });

  test("without a Secrets Manager endpoint the read is not tied to one", () => {
    const noEndpoint = synthJson(exampleConfig((d) => (d.network.interfaceEndpoints = ["ssm", "ssmmessages", "logs"]))).dify!;
    const inline = resourcesOf(noEndpoint, "aws_iam_role_policy").find((p) => p.name === "read-own-secret-and-settings");
    expect(JSON.parse(inline.policy).Statement[0].Condition).toBeUndefined();
  });
});

describe("dify stack: secrets and settings", () => {
  test("generated by ephemeral passwords and written write-only: no value in the JSON", () => {
    const version = one(dify, "aws_secretsmanager_secret_version");
    expect(version.secret_string).toBeUndefined();
    expect(version.secret_string_wo_version).toBe(1);
    expect(version.secret_string_wo).toMatch(/^\$\{jsonencode\(\{.*\}\)\}$/);
    const fields = [...version.secret_string_wo.matchAll(/"(\w+)" = ephemeral\.random_password\.([^.]+)\.result/g)];
    const passwords = (dify as any).ephemeral.random_password;
    expect(Object.fromEntries(fields.map(([, field, name]) => [field, passwords[name!].length]))).toEqual({
      SECRET_KEY: 64,
      INIT_PASSWORD: 24,
      DB_PASSWORD: 32,
      REDIS_PASSWORD: 32,
      PLUGIN_DAEMON_KEY: 48,
      PLUGIN_DIFY_INNER_API_KEY: 48,
      SANDBOX_API_KEY: 32,
      WEAVIATE_API_KEY: 32,
      PGVECTOR_PASSWORD: 32,
      DIFY_AGENT_API_TOKEN: 48,
      DIFY_AGENT_SERVER_SECRET_KEY: 43,
    });
    for (const password of Object.values<any>(passwords)) expect(password.special).toBe(false);
    expect(dify.terraform.required_providers.random.version).toMatch(/^3\.(7\.[1-9]|[89]\.|\d\d)/);
  });

  test("the secret is named for the host, with a recovery window", () => {
    expect(one(dify, "aws_secretsmanager_secret")).toMatchObject({ name: "example-prod/dify", recovery_window_in_days: 30 });
  });

  test("settings for the host under its parameter path: typed fields, extra env, CORS origins", () => {
    const custom = synthJson(
      exampleConfig((d) => {
        d.dify = {
          nginx: { clientMaxBodySize: "20M", proxyTimeoutSeconds: 900 },
          uploadFileSizeLimitMb: 20,
          vectorStore: "pgvector",
          corsAllowOrigins: ["https://app.example.com"],
          env: { SMTP_SERVER: "smtp.example.com" },
        };
      }),
    ).dify!;
    const parameters = Object.fromEntries(resourcesOf(custom, "aws_ssm_parameter").map((p) => [p.name, p.value]));
    expect(parameters).toMatchObject({
      "/example-prod/dify/env/NGINX_CLIENT_MAX_BODY_SIZE": "20M",
      "/example-prod/dify/env/NGINX_PROXY_READ_TIMEOUT": "900s",
      "/example-prod/dify/env/NGINX_PROXY_SEND_TIMEOUT": "900s",
      "/example-prod/dify/env/UPLOAD_FILE_SIZE_LIMIT": "20",
      "/example-prod/dify/env/VECTOR_STORE": "pgvector",
      "/example-prod/dify/env/WEAVIATE_AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
      "/example-prod/dify/env/SMTP_SERVER": "smtp.example.com",
      "/example-prod/dify/cors/config": "https://app.example.com",
      "/example-prod/dify/release": JSON.stringify({ version: "1.16.1", commit: "6f8ed69ee15f9a2e7189ca066275e973d091d1e9" }),
    });
    expect(parameters["/example-prod/dify/data-volume-id"]).toMatch(/aws_ebs_volume\.[^.]+\.id/);
  });

  test("no CORS parameter when the config lists no origins", () => {
    expect(resourcesOf(dify, "aws_ssm_parameter").map((p) => p.name)).not.toContain("/example-prod/dify/cors/config");
  });
});

describe("dify stack: internal ALB", () => {
  test("internal, in every private subnet, alb security group, hardened, long idle timeout, logs, deletion protection", () => {
    expect(text).toHaveResourceWithProperties(Lb, {
      name: "example-prod-dify",
      internal: true,
      load_balancer_type: "application",
      drop_invalid_header_fields: true,
      desync_mitigation_mode: "defensive",
      idle_timeout: 600,
      enable_deletion_protection: true,
      access_logs: { bucket: expect.stringContaining("aws_s3_bucket.alb_access-logs_bucket"), prefix: "alb", enabled: true },
    });
    const alb = one(dify, "aws_lb");
    expect(alb.subnets.map(remoteOutput).map((o: string) => /private-(ap-northeast-1[a-z])/.exec(o)![1]).sort()).toEqual([
      "ap-northeast-1a",
      "ap-northeast-1c",
      "ap-northeast-1d",
    ]);
    expect(remoteOutput(alb.security_groups[0])).toContain("security-groups_alb");
  });

  test("access logs bucket: SSE-S3 (the only kind ALB writes), expiring, writable by the log delivery service only under its prefix", () => {
    const bucket = resourcesOf(dify, "aws_s3_bucket").find((b) => b.bucket === "example-prod-alb-logs-111111111111");
    expect(bucket).toBeDefined();
    const encryption = one(dify, "aws_s3_bucket_server_side_encryption_configuration");
    expect(encryption.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
    expect(one(dify, "aws_s3_bucket_lifecycle_configuration").rule[0].expiration).toEqual([{ days: 90 }]);
    const statements = JSON.parse(one(dify, "aws_s3_bucket_policy").policy).Statement;
    expect(statements).toContainEqual({
      Sid: "AlbAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: "arn:aws:s3:::example-prod-alb-logs-111111111111/alb/AWSLogs/111111111111/*",
    });
  });

  test("target group HTTP:80 health-checked on Dify's ping through nginx", () => {
    expect(text).toHaveResourceWithProperties(LbTargetGroup, {
      protocol: "HTTP",
      port: 80,
      target_type: "instance",
      health_check: { path: "/console/api/ping", matcher: "200", interval: 30, timeout: 5, healthy_threshold: 2, unhealthy_threshold: 3 },
    });
    expect(one(dify, "aws_lb_target_group_attachment").port).toBe(80);
  });

  test("without a certificate: one HTTP:80 listener forwarding to Dify", () => {
    const listener = one(dify, "aws_lb_listener");
    expect(listener).toMatchObject({ port: 80, protocol: "HTTP", default_action: [{ type: "forward" }] });
  });

  test("with a certificate: HTTPS:443 with a TLS 1.2+ policy, and 80 redirecting to it; Lambda may reach 443", () => {
    const stacks = withCertificate();
    const listeners = resourcesOf(stacks.dify!, "aws_lb_listener");
    expect(listeners.find((l) => l.port === 443)).toMatchObject({
      protocol: "HTTPS",
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      certificate_arn: "arn:aws:acm:ap-northeast-1:111111111111:certificate/12345678-1234-1234-1234-123456789012",
    });
    expect(listeners.find((l) => l.port === 80)).toMatchObject({
      protocol: "HTTP",
      default_action: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } }],
    });
    const lambdaToAlb = resourcesOf(stacks.network!, "aws_vpc_security_group_ingress_rule").filter((r) => r.description.startsWith("Lambda calls Dify"));
    expect(lambdaToAlb.map((r) => r.from_port)).toEqual([443]);
  });

  test("idle timeout and deletion protection follow the config", () => {
    const alb = one(synthJson(exampleConfig((d) => (d.dify = { alb: { idleTimeoutSeconds: 900, deletionProtection: false } }))).dify!, "aws_lb");
    expect(alb.idle_timeout).toBe(900);
    expect(alb.enable_deletion_protection).toBe(false);
  });
});

describe("dify stack: private DNS, Instance Connect, snapshots, alarms", () => {
  test("private hosted zone on the VPC with api.<zone> aliasing the ALB", () => {
    expect(text).toHaveResourceWithProperties(Route53Zone, { name: "dify.internal" });
    expect(remoteOutput(one(dify, "aws_route53_zone").vpc[0].vpc_id)).toContain("aws_vpc");
    const record = one(dify, "aws_route53_record");
    expect(record).toMatchObject({ name: "api.dify.internal", type: "A" });
    expect(record.alias.name).toMatch(/aws_lb\.[^.]+\.dns_name/);
    expect(record.alias.zone_id).toMatch(/aws_lb\.[^.]+\.zone_id/);
    expect(dify.output!.private_url.value).toBe("http://api.dify.internal");
  });

  test("Instance Connect Endpoint in the host's subnet with the eic group, and its ARN as output", () => {
    expect(text).toHaveResourceWithProperties(Ec2InstanceConnectEndpoint, { preserve_client_ip: false });
    const endpoint = one(dify, "aws_ec2_instance_connect_endpoint");
    expect(remoteOutput(endpoint.subnet_id)).toContain("private-ap-northeast-1a");
    expect(remoteOutput(endpoint.security_group_ids[0])).toContain("security-groups_eic");
    expect(dify.output!.instance_connect_endpoint_arn.value).toMatch(/aws_ec2_instance_connect_endpoint\.[^.]+\.arn/);
  });

  test("operator policy: a tunnel to this host's port 22 through this endpoint, a key for ec2-user on this host, and the two Describe calls", () => {
    const policy = resourcesOf(dify, "aws_iam_policy").find((p) => p.name === "example-prod-dify-instance-connect");
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "OpenTunnelToDifySsh",
        Effect: "Allow",
        Action: "ec2-instance-connect:OpenTunnel",
        Resource: expect.stringMatching(/aws_ec2_instance_connect_endpoint\.[^.]+\.arn/),
        Condition: {
          NumericEquals: { "ec2-instance-connect:remotePort": "22" },
          IpAddress: { "ec2-instance-connect:privateIpAddress": expect.stringMatching(/aws_instance\.[^.]+\.private_ip\}\/32$/) },
        },
      },
      {
        Sid: "SendKeyToDifyHost",
        Effect: "Allow",
        Action: "ec2-instance-connect:SendSSHPublicKey",
        Resource: expect.stringMatching(/aws_instance\.[^.]+\.arn/),
        Condition: { StringEquals: { "ec2:osuser": "ec2-user" } },
      },
      { Sid: "FindEndpointAndHost", Effect: "Allow", Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceConnectEndpoints"], Resource: "*" },
    ]);
  });

  test("daily DLM snapshots of the tagged data volume, 14 kept by default", () => {
    expect(text).toHaveResourceWithProperties(DlmLifecyclePolicy, {
      state: "ENABLED",
      policy_details: {
        resource_types: ["VOLUME"],
        target_tags: { "dify-backup": "example-prod-data" },
        schedule: [
          expect.objectContaining({
            create_rule: { interval: 24, interval_unit: "HOURS", times: ["18:00"] },
            retain_rule: { count: 14 },
            copy_tags: true,
          }),
        ],
      },
    });
    const changed = one(synthJson(exampleConfig((d) => (d.dify = { backups: { retentionCount: 30, timeUtc: "20:30" } }))).dify!, "aws_dlm_lifecycle_policy");
    expect(changed.policy_details.schedule[0].retain_rule).toEqual({ count: 30 });
    expect(changed.policy_details.schedule[0].create_rule.times).toEqual(["20:30"]);
  });

  test("alarms: recovery on a failed system check, unhealthy hosts, 5xx, memory, data disk, all to the topic", () => {
    const alarms = Object.fromEntries(resourcesOf(dify, "aws_cloudwatch_metric_alarm").map((a) => [a.alarm_name, a]));
    expect(Object.keys(alarms).sort()).toEqual(
      ["alb-target-5xx", "alb-unhealthy-hosts", "data-disk", "instance-check-reboot", "memory", "root-disk", "system-check-recover"].map((n) => `example-prod-dify-${n}`),
    );
    const recover = alarms["example-prod-dify-system-check-recover"];
    expect(recover).toMatchObject({ namespace: "AWS/EC2", metric_name: "StatusCheckFailed_System", threshold: 1 });
    expect(recover.alarm_actions[0]).toBe("arn:aws:automate:ap-northeast-1:ec2:recover");
    expect(alarms["example-prod-dify-alb-unhealthy-hosts"]).toMatchObject({ namespace: "AWS/ApplicationELB", metric_name: "UnHealthyHostCount" });
    expect(alarms["example-prod-dify-alb-target-5xx"]).toMatchObject({ metric_name: "HTTPCode_Target_5XX_Count", statistic: "Sum" });
    expect(alarms["example-prod-dify-data-disk"].dimensions).toMatchObject({ path: "/var/lib/dify", fstype: "xfs" });
    expect(alarms["example-prod-dify-root-disk"].dimensions).toMatchObject({ path: "/", fstype: "xfs" });
    for (const alarm of Object.values<any>(alarms)) {
      expect(alarm.alarm_actions).toContainEqual(expect.stringMatching(/aws_sns_topic\.[^.]+\.arn/));
    }
  });

  test("e-mail subscription only when configured", () => {
    expect(text).not.toHaveResource(SnsTopicSubscription);
    const mailed = synthAll(exampleConfig((d) => (d.dify = { alarms: { email: "ops@example.com" } }))).dify!;
    expect(mailed).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "ops@example.com" });
  });
});
