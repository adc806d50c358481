import { z } from "zod";
import { AWS_REGIONS } from "./aws-lists";
import { DIFY_MANAGED_KEYS } from "./dify-env-keys";
import { DIFY_RELEASES } from "./dify-releases";
import { amplifySchema } from "./amplify-schema";
import { difySchema } from "./dify-schema";
import { edgeSchema } from "./edge-schema";
import { accountId, report, resourceName, rule, suggestion, whenValid } from "./fields";
import { shorten } from "./issues";
import { DEFAULT_VPC_CIDR, defaultZones, networkSchema, zonesOf } from "./network-schema";

/** Tags every resource carries through the provider's `default_tags`; config tags cannot override them. */
export const RESERVED_TAG_KEYS = ["customer", "environment", "project", "managed-by"] as const;

export const DEFAULT_REGION = "ap-northeast-1";

const awsSchema = z
  .object({
    /** The customer account this environment is deployed to (12 digits, quoted). */
    accountId,
    /**
     * Accounts this environment must never be deployed to, e.g. the team's dev account. The
     * runbook keeps production completely separate from dev; `doctor` and the Terraform
     * provider both refuse any account but `accountId`.
     */
    devAccountIds: z.array(accountId).superRefine(
      rule(
        (ids) => ids.length > 0,
        () => "is empty",
        "list the dev account ID(s) this environment must never be deployed to",
      ),
    ),
    /**
     * Region of every regional resource (the WAF for CloudFront is always in us-east-1).
     * @default "ap-northeast-1"
     */
    region: z
      .string()
      .superRefine(
        rule(
          (value) => AWS_REGIONS.has(value),
          (value) => `"${value}" is not an AWS region`,
          (value) => `use "${DEFAULT_REGION}" (Tokyo), the region this project is built for${suggestion(value, AWS_REGIONS)}`,
        ),
      )
      .default(DEFAULT_REGION),
  })
  .strict()
  .superRefine(
    (aws, ctx) => {
      if (aws.devAccountIds.includes(aws.accountId)) {
        report(
          ctx,
          ["accountId"],
          `${aws.accountId} is listed in aws.devAccountIds: this would deploy the customer environment into a dev account`,
          "set aws.accountId to the customer's own account",
        );
      }
    },
    whenValid(["accountId"], ["devAccountIds"]),
  );

const stateSchema = z
  .object({
    /**
     * Where the state stack keeps its own state. `local` for the first apply (the bucket does
     * not exist yet); switch to `s3` and run `terraform init -migrate-state` once it does.
     * @default "local"
     */
    backend: z.enum(["local", "s3"]).default("local"),
    /**
     * Days an overwritten state file version is kept before it expires.
     * @default 90
     */
    noncurrentVersionRetentionDays: z.number().int().min(1).max(3650).default(90),
  })
  .strict();

const tagKey = z.string().superRefine((key, ctx) => {
  rule<string>(
    (k) => /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(k) && !k.toLowerCase().startsWith("aws:"),
    (k) => `tag key "${k}" is not allowed by AWS`,
    "use 1-128 letters, digits, spaces or _ . : / = + - @, not starting with aws:",
  )(key, ctx);
  rule<string>(
    (k) => !(RESERVED_TAG_KEYS as readonly string[]).includes(k),
    (k) => `tag key "${k}" is set by the project on every resource`,
    `remove it; ${RESERVED_TAG_KEYS.join(", ")} come from customer, environment and the project`,
  )(key, ctx);
});

const tagValue = z.string().superRefine(
  rule(
    (value) => /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value),
    (value) => `tag value "${value}" is not allowed by AWS`,
    "use at most 256 letters, digits, spaces or _ . : / = + - @",
  ),
);

const customerConfigObject = z
  .object({
    /** Customer short name, part of every resource name: lowercase, at most 16 characters. */
    customer: resourceName("customer name", 16, "acme"),
    /** Environment short name (`prod`, `stg`): lowercase, at most 8 characters. */
    environment: resourceName("environment name", 8, "prod"),
    aws: awsSchema,
    /** Filled with the runbook's layout before validation when absent (see applyDerivedDefaults). */
    network: networkSchema,
    state: stateSchema.prefault({}),
    dify: difySchema.prefault({}),
    edge: edgeSchema.prefault({}),
    amplify: amplifySchema.prefault({}),
    /**
     * Extra tags on every resource, beside customer, environment, project and managed-by.
     * @default {}
     */
    tags: z.record(tagKey, tagValue).default({}),
  })
  .strict()
  .superRefine(
    (config, ctx) => {
      const zones: unknown = config.network?.zones;
      if (!Array.isArray(zones)) return;
      zones.forEach((zone: { name?: unknown } | null, i) => {
        const name = zone?.name;
        if (typeof name !== "string") return;
        const known = zonesOf(config.aws.region);
        if (known ? !known.includes(name) : !new RegExp(`^${config.aws.region}[a-z]$`).test(name)) {
          report(
            ctx,
            ["network", "zones", i, "name"],
            `"${shorten(name)}" is not an availability zone of ${config.aws.region}`,
            `use ${known ? `one of ${known.join(", ")}` : `a zone of the region, e.g. ${config.aws.region}a`}`,
          );
        }
      });
    },
    whenValid(["aws", "region"]),
  )
  .superRefine(
    (config, ctx) => {
      const zones = config.network.zones.map((zone) => zone.name);
      if (config.dify.zone !== undefined && !zones.includes(config.dify.zone)) {
        report(
          ctx,
          ["dify", "zone"],
          `${config.dify.zone} is not one of network.zones`,
          `use one of ${zones.join(", ")}`,
        );
      }
    },
    whenValid(["network", "zones"], ["dify", "zone"]),
  )
  .superRefine(
    (config, ctx) => {
      const release = DIFY_RELEASES[config.dify.version]!;
      for (const key of Object.keys(config.dify.env)) {
        if (DIFY_MANAGED_KEYS.has(key)) {
          report(
            ctx,
            ["dify", "env", key],
            `${key} is set by this project (secrets, URLs, CORS or a typed dify.* field)`,
            "remove it; see the dify section of customers/example.yaml for the typed fields",
          );
        } else if (!release.envKeys.has(key)) {
          report(
            ctx,
            ["dify", "env", key],
            `${key} is not a setting of Dify ${config.dify.version}`,
            `check the spelling against config/dify-keys/${config.dify.version}.txt${suggestion(key, release.envKeys)}`,
          );
        }
      }
    },
    whenValid(["dify", "version"], ["dify", "env"]),
  )
  .superRefine(
    (config, ctx) => {
      const { env } = config.dify;
      if (env.MAIL_TYPE !== "smtp") return;
      if (!env.SMTP_SERVER) {
        report(ctx, ["dify", "env", "SMTP_SERVER"], "is required with MAIL_TYPE: smtp", "add the SMTP server's host name");
      }
      const port = env.SMTP_PORT;
      if (port === undefined || !/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
        report(
          ctx,
          ["dify", "env", "SMTP_PORT"],
          port === undefined ? "is required with MAIL_TYPE: smtp" : `"${shorten(port)}" is not a TCP port`,
          'set the port your SMTP server takes (e.g. "587" for STARTTLS, "465" for TLS): the dify security group opens exactly that port',
        );
      }
    },
    whenValid(["dify", "env"]),
  )
  .superRefine(
    (config, ctx) => {
      const arn = config.dify.alb.certificateArn;
      const [, , , region, account] = arn?.split(":") ?? [];
      if (arn && (region !== config.aws.region || account !== config.aws.accountId)) {
        report(
          ctx,
          ["dify", "alb", "certificateArn"],
          `the certificate is in ${account}/${region}; the ALB is in ${config.aws.accountId}/${config.aws.region}`,
          `request or import the certificate in ACM of account ${config.aws.accountId}, region ${config.aws.region}`,
        );
      }
    },
    whenValid(["aws"], ["dify", "alb", "certificateArn"]),
  )
  .superRefine(
    (config, ctx) => {
      if (config.dify.alb.certificateArn && config.edge.domainNames.length === 0) {
        report(
          ctx,
          ["dify", "alb", "certificateArn"],
          "makes CloudFront reach the ALB over HTTPS, which it verifies against the viewer's host name; *.cloudfront.net cannot match any certificate of yours",
          "add edge.domainNames (with edge.certificateArn) that this ALB certificate also covers, or remove dify.alb.certificateArn",
        );
      }
    },
    whenValid(["dify", "alb", "certificateArn"], ["edge", "domainNames"]),
  )
  .superRefine(
    (config, ctx) => {
      const { amplify } = config;
      if (!amplify.envName && !/^[a-z]{2,10}$/.test(config.environment)) {
        report(
          ctx,
          ["amplify", "envName"],
          `is required: the environment "${config.environment}" is not an Amplify environment name (2-10 lowercase letters)`,
          "set amplify.envName to the name of the Amplify Gen 1 environment, e.g. prod",
        );
      }
      const zones = config.network.zones.map((zone) => zone.name);
      if (amplify.lambdaZones !== "all" && !zones.includes(amplify.lambdaZones)) {
        report(ctx, ["amplify", "lambdaZones"], `"${amplify.lambdaZones}" is neither all nor one of network.zones`, `use all or one of ${zones.join(", ")}`);
      }
    },
    whenValid(["environment"], ["network", "zones"], ["amplify"]),
  )
  // The Amplify environment defaults to the config's environment name.
  .transform((config) => ({ ...config, amplify: { ...config.amplify, envName: config.amplify.envName ?? config.environment } }));

/**
 * Fills `network.zones` with the runbook's layout when the file lists none. Runs before
 * validation on raw YAML, so it only reads what is there and never throws.
 */
function applyDerivedDefaults(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  const config = raw as { network?: unknown; aws?: unknown };
  const network = (config.network ?? {}) as Record<string, unknown>;
  if (typeof network !== "object" || Array.isArray(network) || network.zones !== undefined) return raw;
  const aws = (typeof config.aws === "object" && config.aws ? config.aws : {}) as Record<string, unknown>;
  const vpcCidr = network.vpcCidr ?? DEFAULT_VPC_CIDR;
  const region = aws.region ?? DEFAULT_REGION;
  if (typeof vpcCidr !== "string" || typeof region !== "string") return raw;
  const zones = defaultZones(vpcCidr, region);
  return zones ? { ...config, network: { ...network, zones } } : raw;
}

/** The whole customer config: YAML in, typed config with defaults out. */
export const customerConfigSchema = z.preprocess(applyDerivedDefaults, customerConfigObject);

export type CustomerConfig = z.output<typeof customerConfigSchema>;
