import { z } from "zod";
import { EC2_INSTANCE_TYPES } from "./aws-lists";
import { DEFAULT_DIFY_VERSION, DIFY_RELEASES } from "./dify-releases";
import { integer, lineValue, logRetentionDays, rule, secretName, suggestion } from "./fields";
import { instanceMemoryGiB } from "./instance-types";

/** An exact browser origin: scheme, host and optional port, nothing else. */
const origin = z.string().superRefine(
  rule(
    (value) => /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/.test(value),
    (value) =>
      value.includes("*")
        ? `"${value}" is a wildcard; Dify must only answer the app's own origins`
        : value.startsWith("http://")
          ? `"${value}" is plain HTTP: the console's session cookies and API keys would cross the network in clear text`
          : `"${value}" is not an exact https:// origin`,
    'write scheme and host only, e.g. "https://main.d1a2b3c4d5e6f7.amplifyapp.com"',
  ),
);

const albSchema = z
  .object({
    /**
     * ACM certificate (same region) for an HTTPS:443 listener; port 80 then redirects to it.
     * @default none: HTTP:80 only, reachable from inside the VPC and CloudFront's VPC origin
     */
    certificateArn: z
      .string()
      .superRefine(
        rule(
          (value) => /^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/.test(value),
          (value) => `"${value}" is not an ACM certificate ARN`,
          "copy the ARN from ACM: arn:aws:acm:<region>:<account>:certificate/<id>",
        ),
      )
      .optional(),
    /**
     * Seconds a connection may idle; streaming answers (SSE) need minutes.
     * @default 600
     */
    idleTimeoutSeconds: integer(300, 4000, 600),
    /** @default true */
    deletionProtection: z.boolean().default(true),
    /**
     * Days the ALB's access logs are kept in S3.
     * @default 90
     */
    accessLogRetentionDays: integer(1, 3650, 90),
  })
  .strict();

export const difySchema = z
  .object({
    /**
     * Dify release tag (no `v`), one of config/dify-releases.ts. The host checks out this tag
     * and refuses it unless the tag points to the recorded commit.
     * @default "1.16.1"
     */
    version: z
      .string()
      .superRefine(
        rule(
          (value) => Object.hasOwn(DIFY_RELEASES, value),
          (value) => `"${value}" is not a verified Dify release`,
          `use one of ${Object.keys(DIFY_RELEASES).join(", ")}, or verify the tag's commit and add it to config/dify-releases.ts`,
        ),
      )
      .default(DEFAULT_DIFY_VERSION),
    /**
     * EC2 instance type. Dify needs 4 GiB and runs out of memory there once plugins are
     * installed: below 4 GiB is refused, below 8 GiB warned about. t4g.large (Graviton, same
     * 2 vCPU and 8 GiB) is about 16 USD a month less and gets the arm64 AMI; Dify builds its
     * images for arm64 too, but the VM test runs x86 only, so t3.large stays the default.
     * @default "t3.large"
     */
    instanceType: z
      .string()
      .superRefine(
        rule(
          (value) => EC2_INSTANCE_TYPES.has(value),
          (value) => `"${value}" is not an EC2 instance type`,
          (value) => `use a type such as "t3.large" or "m7i.large"${suggestion(value, EC2_INSTANCE_TYPES)}`,
        ),
      )
      .superRefine(
        rule(
          (value) => (instanceMemoryGiB(value) ?? 4) >= 4,
          (value) => `${value} has ${instanceMemoryGiB(value)} GiB of memory; Dify needs at least 4 GiB`,
          'use "t3.large" (8 GiB) or larger',
        ),
      )
      .default("t3.large"),
    /**
     * Availability zone of the instance and its data volume.
     * @default the first of network.zones
     */
    zone: z.string().optional(),
    /**
     * Pin the AMI; changing it replaces the instance (the data volume moves to the new one).
     * Without it the host is built from the newest Amazon Linux 2023 AMI of the SSM public
     * parameter at the time the launch template is created, and keeps that AMI: a newer AL2023
     * release never replaces the host by itself.
     * @default the newest AL2023 AMI for the instance type's architecture, read once
     */
    amiId: z
      .string()
      .superRefine(
        rule(
          (value) => /^ami-[0-9a-f]{8,17}$/.test(value),
          (value) => `"${value}" is not an AMI ID`,
          "write it as ami- followed by 8 or 17 hex digits",
        ),
      )
      .optional(),
    /** Root volume (OS and packages; Docker's images live on the data volume): gp3, encrypted. @default 30 */
    rootVolumeGiB: integer(20, 16384, 30),
    dataVolume: z
      .object({
        /**
         * Separate gp3 volume with all of Dify's state and Docker's images (about 10 GiB per
         * release); survives instance replacement. @default 50
         */
        sizeGiB: integer(20, 16384, 50),
        /** Make `terraform destroy` fail on the data volume. @default true */
        preventDestroy: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /**
     * Secrets Manager secret with Docker Hub credentials, JSON `{"username": ..., "token": ...}`
     * (a personal access token with read-only scope). Dify's compose project pulls a dozen images
     * from Docker Hub, which allows anonymous clients 10 pulls an hour per IP address (every host
     * behind the NAT shares it) and authenticated users 100: without it a first boot waits for
     * the limit, retrying, for up to an hour.
     * @default none: anonymous pulls
     */
    dockerHubSecretName: secretName("dify/docker-hub").optional(),
    /**
     * Vector store of the compose project (both run on the host).
     * @default "weaviate"
     */
    vectorStore: z.enum(["weaviate", "pgvector"]).default("weaviate"),
    /**
     * `single`: one host with Postgres, Redis and the vector store in docker compose. `scale`
     * (external RDS, ElastiCache, S3) is not built yet and is refused.
     * @default "single"
     */
    mode: z
      .enum(["single", "scale"])
      .superRefine(
        rule(
          (value) => value === "single",
          () => "scale mode (Dify on external RDS PostgreSQL, ElastiCache and S3) is not available yet",
          'use mode: single',
        ),
      )
      .default("single"),
    /**
     * Number of Dify hosts. More than one docker-compose host would split the data: each runs
     * its own Postgres, Redis, vector store and upload storage.
     * @default 1
     */
    instances: z
      .number()
      .int()
      .superRefine(
        rule(
          (value) => value === 1,
          (value) =>
            `${value} instances would each keep their own Postgres, Redis, vector store and uploads: users would see different data per request`,
          "keep instances: 1 until scale mode (external state) exists",
        ),
      )
      .default(1),
    alb: albSchema.prefault({}),
    privateDns: z
      .object({
        /** Private hosted zone on the VPC. @default "dify.internal" */
        zoneName: z
          .string()
          .superRefine(
            rule(
              (value) => /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value),
              (value) => `"${value}" is not a DNS zone name`,
              'use lowercase labels separated by dots, e.g. "dify.internal"',
            ),
          )
          .default("dify.internal"),
        /** Record that points at the ALB: `<recordName>.<zoneName>`. @default "api" */
        recordName: z
          .string()
          .superRefine(
            rule(
              (value) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value),
              (value) => `"${value}" is not a DNS label`,
              'use lowercase letters, digits and hyphens, e.g. "api"',
            ),
          )
          .default("api"),
      })
      .strict()
      .prefault({}),
    nginx: z
      .object({
        /** nginx `client_max_body_size` in front of Dify. @default "100M" */
        clientMaxBodySize: z
          .string()
          .superRefine(
            rule(
              (value) => /^\d+[kKmMgG]?$/.test(value),
              (value) => `"${value}" is not an nginx size`,
              'write a number with an optional k, m or g suffix, e.g. "100M"',
            ),
          )
          .default("100M"),
        /** Seconds nginx waits for Dify's api (long workflows, streaming). @default 3600 */
        proxyTimeoutSeconds: integer(60, 86400, 3600),
      })
      .strict()
      .prefault({}),
    /** Largest file users may upload, in MB (Dify's UPLOAD_FILE_SIZE_LIMIT). @default 15 */
    uploadFileSizeLimitMb: integer(1, 1024, 15),
    /**
     * Exact browser origins allowed to call Dify besides those the edge and Amplify stacks add
     * (the CloudFront domain, the Amplify app's domains). Never `*`.
     * @default []
     */
    corsAllowOrigins: z.array(origin).default([]),
    /**
     * Further Dify settings (keys of the release's `.env`), e.g. SMTP. Keys the project sets
     * itself (secrets, URLs, CORS, the typed fields above) are refused.
     * @default {}
     */
    env: z
      .record(
        z.string(),
        // One Standard-tier parameter each (4096 characters, never empty), then a line of .env.
        lineValue({ maxLength: 4096, store: "a Standard Parameter Store parameter and Dify's .env", allowEmpty: false }),
      )
      .default({}),
    backups: z
      .object({
        /** Daily snapshots of the data volume kept. @default 14 */
        retentionCount: integer(1, 1000, 14),
        /** Snapshot time, UTC (03:00 in Tokyo). @default "18:00" */
        timeUtc: z
          .string()
          .superRefine(
            rule(
              (value) => /^([01]\d|2[0-3]):[0-5]\d$/.test(value),
              (value) => `"${value}" is not a time of day`,
              'write HH:MM in UTC, e.g. "18:00"',
            ),
          )
          .default("18:00"),
      })
      .strict()
      .prefault({}),
    alarms: z
      .object({
        /**
         * Address subscribed to the alarm topic (AWS sends a confirmation mail first).
         * @default none: the topic has no subscription
         */
        email: z.email({ error: "is not an e-mail address" }).optional(),
      })
      .strict()
      .prefault({}),
    /** Days the host's and containers' log groups keep events. @default 365 */
    logRetentionDays: logRetentionDays(365),
  })
  .strict();

export type DifyConfig = z.infer<typeof difySchema>;

/**
 * The SMTP port the Dify host sends mail to, when `dify.env` sets `MAIL_TYPE: smtp` (the config
 * requires SMTP_PORT then): the dify security group opens exactly that port to the internet. The
 * other mail types (resend, sendgrid) are HTTPS APIs, which 443 already covers.
 */
export function smtpPort(dify: Pick<DifyConfig, "env">): number | undefined {
  return dify.env.MAIL_TYPE === "smtp" ? Number(dify.env.SMTP_PORT) : undefined;
}
