import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { exampleConfig } from "./support/config";
import { onlyResource as one, resourcesOf, synthAll, synthJson, type StackJson } from "./support/synth";

const text = synthAll().edge!;
const edge: StackJson = JSON.parse(text);

const withEdge = (value: Record<string, any>) => synthJson(exampleConfig((d) => (d.edge = value)));
const CUSTOM = {
  domainNames: ["dify.example.com", "ai.example.com"],
  certificateArn: "arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012",
};
const ruleNames = (acl: any) => acl.rule.map((r: any) => [r.priority, r.name]);

describe("edge stack: CloudFront", () => {
  const distribution = one(edge, "aws_cloudfront_distribution");

  test("a VPC origin for the internal ALB, HTTP:80 inside the VPC", () => {
    const origin = one(edge, "aws_cloudfront_vpc_origin").vpc_origin_endpoint_config[0];
    expect(origin).toMatchObject({ http_port: 80, https_port: 443, origin_protocol_policy: "http-only" });
    expect(origin.arn).toMatch(/terraform_remote_state\.cross-stack-reference-input-dify\.outputs\.cross-stack-output-aws_lbalb.*arn\}$/);
  });

  test("the distribution's only origin is that VPC origin, with the configured timeouts", () => {
    expect(distribution.origin).toHaveLength(1);
    const [origin] = distribution.origin;
    expect(origin.vpc_origin_config).toEqual({
      vpc_origin_id: expect.stringMatching(/^\$\{aws_cloudfront_vpc_origin\.[^.]+\.id\}$/),
      origin_read_timeout: 60,
      origin_keepalive_timeout: 5,
    });
    expect(origin.domain_name).toMatch(/aws_lbalb.*dns_name\}$/);
    const tuned = one(withEdge({ originReadTimeoutSeconds: 120, originKeepaliveTimeoutSeconds: 30 }).edge!, "aws_cloudfront_distribution");
    expect(tuned.origin[0].vpc_origin_config).toMatchObject({ origin_read_timeout: 120, origin_keepalive_timeout: 30 });
  });

  test("HTTPS to the ALB when it has a certificate", () => {
    const stacks = synthJson(
      exampleConfig((d) => {
        d.dify = { alb: { certificateArn: "arn:aws:acm:ap-northeast-1:111111111111:certificate/12345678-1234-1234-1234-123456789012" } };
        d.edge = CUSTOM;
      }),
    );
    expect(one(stacks.edge!, "aws_cloudfront_vpc_origin").vpc_origin_endpoint_config[0].origin_protocol_policy).toBe("https-only");
    expect(one(stacks.edge!, "aws_vpc_security_group_ingress_rule")).toMatchObject({ from_port: 443, to_port: 443 });
  });

  test("viewer: HTTPS redirect, HTTP/2 and 3, IPv6, compression, a price class that includes Japan, the web ACL", () => {
    expect(text).toHaveResourceWithProperties(CloudfrontDistribution, {
      enabled: true,
      is_ipv6_enabled: true,
      http_version: "http2and3",
      price_class: "PriceClass_200",
      viewer_certificate: { cloudfront_default_certificate: true },
    });
    expect(distribution.default_cache_behavior).toMatchObject({ viewer_protocol_policy: "redirect-to-https", compress: true });
    expect(distribution.web_acl_id).toMatch(/^\$\{aws_wafv2_web_acl\.[^.]+\.arn\}$/);
    expect(distribution.aliases).toBeUndefined();
  });

  test("custom domains: aliases and their us-east-1 certificate with TLS 1.2 (2021)", () => {
    const custom = one(withEdge(CUSTOM).edge!, "aws_cloudfront_distribution");
    expect(custom.aliases).toEqual(["dify.example.com", "ai.example.com"]);
    expect(custom.viewer_certificate).toEqual({
      acm_certificate_arn: CUSTOM.certificateArn,
      ssl_support_method: "sni-only",
      minimum_protocol_version: "TLSv1.2_2021",
    });
  });

  test("everything dynamic is uncached and forwards every viewer header (Origin, Access-Control-Request-*)", () => {
    expect(distribution.default_cache_behavior).toMatchObject({
      cache_policy_id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      origin_request_policy_id: "216adef6-5c7f-47e4-b989-5492eafa07d3",
      allowed_methods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
    });
  });

  test("Dify's hashed static assets are cached", () => {
    expect(distribution.ordered_cache_behavior).toEqual([
      expect.objectContaining({
        path_pattern: "/_next/static/*",
        cache_policy_id: "658327ea-f89d-4fab-a63d-7e88639e58f6",
        allowed_methods: ["GET", "HEAD"],
      }),
    ]);
  });

  test("no error response is cached, 404 included", () => {
    const ttls = Object.fromEntries(distribution.custom_error_response.map((e: any) => [e.error_code, e.error_caching_min_ttl]));
    expect(ttls[404]).toBe(0);
    expect(Object.values(ttls).every((ttl) => ttl === 0)).toBe(true);
    expect(Object.keys(ttls).length).toBeGreaterThanOrEqual(10);
  });

  test("response headers: HSTS and friends on every behaviour, no CORS on top of Dify's", () => {
    const policy = one(edge, "aws_cloudfront_response_headers_policy");
    expect(policy.security_headers_config.strict_transport_security).toEqual({
      access_control_max_age_sec: 63072000,
      include_subdomains: true,
      override: true,
    });
    expect(policy.cors_config).toBeUndefined();
    expect(policy.custom_headers_config).toBeUndefined();
    for (const behaviour of [distribution.default_cache_behavior, ...distribution.ordered_cache_behavior]) {
      expect(behaviour.response_headers_policy_id).toMatch(/aws_cloudfront_response_headers_policy\.[^.]+\.id/);
    }
  });

  test("access logs to their own expiring bucket", () => {
    expect(distribution.logging_config).toEqual({
      bucket: expect.stringMatching(/aws_s3_bucket\.cloudfront_access-logs_bucket_[^.]+\.bucket_domain_name/),
      prefix: "cloudfront/",
      include_cookies: false,
    });
    const bucket = resourcesOf(edge, "aws_s3_bucket").find((b) => b.bucket === "example-prod-cloudfront-logs-111111111111");
    expect(bucket).toBeDefined();
    expect(one(edge, "aws_s3_bucket_lifecycle_configuration").rule[0].expiration).toEqual([{ days: 90 }]);
  });

  test("the ALB admits CloudFront's origin-facing prefix list, looked up by name, on its listener port", () => {
    const rule = one(edge, "aws_vpc_security_group_ingress_rule");
    expect(rule).toMatchObject({ ip_protocol: "tcp", from_port: 80, to_port: 80 });
    expect(rule.prefix_list_id).toMatch(/^\$\{data\.aws_ec2_managed_prefix_list\.[^.]+\.id\}$/);
    expect(Object.values(edge.data!.aws_ec2_managed_prefix_list!)[0].name).toBe("com.amazonaws.global.cloudfront.origin-facing");
    expect(rule.security_group_id).toMatch(/security-groups_alb/);
  });
});

describe("edge stack: WAF", () => {
  const acl = one(edge, "aws_wafv2_web_acl");

  test("scope CLOUDFRONT through the us-east-1 provider, default allow", () => {
    expect(text).toHaveResourceWithProperties(Wafv2WebAcl, { scope: "CLOUDFRONT", provider: "aws.us-east-1", default_action: { allow: {} } });
    expect(edge.provider!.aws).toContainEqual(expect.objectContaining({ alias: "us-east-1", region: "us-east-1", allowed_account_ids: ["111111111111"] }));
  });

  test("the exact rule list and priorities", () => {
    expect(ruleNames(acl)).toEqual([
      [10, "AWSManagedRulesCommonRuleSet"],
      [20, "LargeBodyOnlyOnAllowedPaths"],
      [30, "AWSManagedRulesKnownBadInputsRuleSet"],
      [40, "AWSManagedRulesAmazonIpReputationList"],
      [60, "RateLimitPerIp"],
    ]);
  });

  test("the Core Rule Set counts SizeRestrictions_BODY instead of blocking, and nothing else is overridden", () => {
    const crs = acl.rule[0];
    expect(crs.override_action).toEqual({ none: {} });
    expect(crs.statement.managed_rule_group_statement).toEqual({
      vendor_name: "AWS",
      name: "AWSManagedRulesCommonRuleSet",
      rule_action_override: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }],
    });
  });

  test("requests labelled by the size rule are blocked unless their path is one of the configured large-body paths", () => {
    const rule = acl.rule[1];
    expect(rule.action).toEqual({ block: {} });
    const [label, ...notPaths] = rule.statement.and_statement.statement;
    expect(label).toEqual({ label_match_statement: { scope: "LABEL", key: "awswaf:managed:aws:core-rule-set:SizeRestrictions_Body" } });
    const paths = notPaths.map((s: any) => s.not_statement.statement[0].byte_match_statement);
    expect(paths.map((p: any) => p.search_string)).toEqual(["/v1/chat-messages", "/v1/workflows/run", "/v1/completion-messages"]);
    for (const path of paths) expect(path).toMatchObject({ positional_constraint: "STARTS_WITH", field_to_match: { uri_path: {} } });

    const custom = one(withEdge({ waf: { largeBodyPaths: ["/v1/chat-messages", "/api/upload"] } }).edge!, "aws_wafv2_web_acl");
    const customPaths = custom.rule[1].statement.and_statement.statement.slice(1);
    expect(customPaths.map((s: any) => s.not_statement.statement[0].byte_match_statement.search_string)).toEqual(["/v1/chat-messages", "/api/upload"]);
  });

  test("rate limit per IP from the config", () => {
    expect(acl.rule[4].statement.rate_based_statement).toEqual({ limit: 2000, aggregate_key_type: "IP", evaluation_window_sec: 300 });
    const custom = one(withEdge({ waf: { rateLimitPer5Minutes: 500 } }).edge!, "aws_wafv2_web_acl");
    expect(custom.rule.find((r: any) => r.name === "RateLimitPerIp").statement.rate_based_statement.limit).toBe(500);
  });

  test("body inspection limit: 16 KB by default, up to 64 KB", () => {
    expect(acl.association_config).toEqual({ request_body: [{ cloudfront: { default_size_inspection_limit: "KB_16" } }] });
    const big = one(withEdge({ waf: { bodyInspectionLimitKb: 64 } }).edge!, "aws_wafv2_web_acl");
    expect(big.association_config.request_body[0].cloudfront.default_size_inspection_limit).toBe("KB_64");
  });

  test("optional rules: anonymous IPs, and the console only from admin ranges", () => {
    const stacks = withEdge({ waf: { blockAnonymousIps: true, adminCidrs: ["203.0.113.0/24"], adminPaths: ["/console", "/install"] } });
    const full = one(stacks.edge!, "aws_wafv2_web_acl");
    expect(ruleNames(full)).toEqual([
      [10, "AWSManagedRulesCommonRuleSet"],
      [20, "LargeBodyOnlyOnAllowedPaths"],
      [30, "AWSManagedRulesKnownBadInputsRuleSet"],
      [40, "AWSManagedRulesAmazonIpReputationList"],
      [50, "AWSManagedRulesAnonymousIpList"],
      [60, "RateLimitPerIp"],
      [70, "ConsoleOnlyFromAdmins"],
    ]);
    const [paths, notAdmins] = full.rule[6].statement.and_statement.statement;
    expect(paths.or_statement.statement.map((s: any) => s.byte_match_statement.search_string)).toEqual(["/console", "/install"]);
    expect(notAdmins.not_statement.statement[0].ip_set_reference_statement.arn).toMatch(/aws_wafv2_ip_set\.[^.]+\.arn/);
    expect(one(stacks.edge!, "aws_wafv2_ip_set")).toMatchObject({ scope: "CLOUDFRONT", addresses: ["203.0.113.0/24"], provider: "aws.us-east-1" });
  });

  test("metrics on every rule and on the ACL", () => {
    for (const rule of acl.rule) {
      expect(rule.visibility_config).toEqual({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true, metric_name: `example-prod-dify-${rule.name}` });
    }
    expect(acl.visibility_config.cloudwatch_metrics_enabled).toBe(true);
  });

  test("logs to an aws-waf-logs- group in us-east-1 with retention, Authorization redacted", () => {
    const group = resourcesOf(edge, "aws_cloudwatch_log_group").find((g) => g.name.startsWith("aws-waf-logs-"));
    expect(group).toMatchObject({ name: "aws-waf-logs-example-prod-dify", retention_in_days: 365, provider: "aws.us-east-1" });
    const logging = one(edge, "aws_wafv2_web_acl_logging_configuration");
    expect(logging.provider).toBe("aws.us-east-1");
    expect(logging.log_destination_configs[0]).toMatch(/aws_cloudwatch_log_group\.waf_log-group_[^.]+\.arn/);
    expect(logging.redacted_fields).toEqual([{ single_header: { name: "authorization" } }]);
  });
});

describe("edge stack: Dify's public URL and CORS", () => {
  const parameters = (stack: StackJson) => Object.fromEntries(resourcesOf(stack, "aws_ssm_parameter").map((p) => [p.name, p.value]));
  const cloudfront = /^https:\/\/\$\{aws_cloudfront_distribution\.[^.]+\.domain_name\}$/;

  test("with the CloudFront domain: URLs and the exact CORS origin", () => {
    const values = parameters(edge);
    for (const key of ["CONSOLE_API_URL", "CONSOLE_WEB_URL", "SERVICE_API_URL", "APP_API_URL", "APP_WEB_URL", "FILES_URL"]) {
      expect(values[`/example-prod/dify/env/${key}`]).toMatch(cloudfront);
    }
    expect(values["/example-prod/dify/cors/edge"]).toMatch(cloudfront);
    expect(edge.output!.api_base_url.value).toMatch(/^https:\/\/\$\{aws_cloudfront_distribution\.[^.]+\.domain_name\}\/v1$/);
  });

  test("with custom domains: the first is the public URL, all are allowed origins, never *", () => {
    const values = parameters(withEdge(CUSTOM).edge!);
    expect(values["/example-prod/dify/env/SERVICE_API_URL"]).toBe("https://dify.example.com");
    const origins = values["/example-prod/dify/cors/edge"].split(",");
    expect(origins.slice(1)).toEqual(["https://dify.example.com", "https://ai.example.com"]);
    expect(origins[0]).toMatch(cloudfront);
    expect(origins).not.toContain("*");
  });

  test("a Systems Manager association reloads Dify on the host when these settings change", () => {
    const association = one(edge, "aws_ssm_association");
    expect(association.name).toBe("AWS-RunShellScript");
    expect(association.targets).toEqual([{ key: "InstanceIds", values: [expect.stringMatching(/aws_instancehost_instance.*id\}$/)] }]);
    expect(association.parameters.commands).toMatch(/^systemctl try-reload-or-restart dify\.service # edge settings: https:\/\/\$\{aws_cloudfront_distribution/);
    const custom = one(withEdge(CUSTOM).edge!, "aws_ssm_association");
    expect(custom.parameters.commands).not.toBe(association.parameters.commands);
  });

  test("outputs: distribution domain, API base URL, web ACL ARN", () => {
    expect(Object.keys(edge.output!)).toEqual(expect.arrayContaining(["distribution_domain_name", "api_base_url", "web_acl_arn", "public_url"]));
  });
});
