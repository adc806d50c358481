import { z } from "zod";
import { cidrBlock, integer, logRetentionDays, report, rule, whenValid } from "./fields";

/** A URI path prefix, e.g. `/v1/chat-messages`. */
const pathPrefix = z.string().superRefine(
  rule(
    (value) => /^\/[A-Za-z0-9._~\-/]*$/.test(value),
    (value) => `"${value}" is not a URI path prefix`,
    'start with / and use URL path characters only, e.g. "/v1/chat-messages"',
  ),
);

/** Dify's service-API paths that legitimately carry bodies above WAF's 8 KB size rule. */
export const DEFAULT_LARGE_BODY_PATHS = ["/v1/chat-messages", "/v1/workflows/run", "/v1/completion-messages"];

/** Dify's console and first-run paths (the API behind the console is /console/api). */
export const DEFAULT_ADMIN_PATHS = ["/console", "/install", "/init", "/signin", "/apps", "/datasets", "/tools", "/plugins", "/explore"];

const wafSchema = z
  .object({
    /**
     * Paths whose requests may exceed the Core Rule Set's 8 KB body limit (transcripts sent to
     * Dify). Every other path keeps the protection.
     * @default ["/v1/chat-messages", "/v1/workflows/run", "/v1/completion-messages"]
     */
    largeBodyPaths: z.array(pathPrefix).min(1).default([...DEFAULT_LARGE_BODY_PATHS]),
    /**
     * How much of a body WAF inspects, in KB (16, 32, 48 or 64). Above 16 KB CloudFront bills
     * extra WAF request units.
     * @default 16
     */
    bodyInspectionLimitKb: z
      .number()
      .superRefine(
        rule(
          (value) => [16, 32, 48, 64].includes(value),
          (value) => `${value} is not an inspection size CloudFront's WAF offers`,
          "use 16, 32, 48 or 64",
        ),
      )
      .default(16),
    /**
     * Requests per client IP in any 5 minutes before WAF blocks it.
     * @default 2000
     */
    rateLimitPer5Minutes: integer(100, 2_000_000_000, 2000),
    /**
     * Also block VPNs, proxies, Tor and hosting providers (AWSManagedRulesAnonymousIpList).
     * @default false: the app's users may sit behind corporate proxies
     */
    blockAnonymousIps: z.boolean().default(false),
    /**
     * When set, Dify's console and setup paths answer only these source ranges.
     * @default []: the console is open to anyone who can log in
     */
    adminCidrs: z.array(cidrBlock(8, 32)).default([]),
    /** @default ["/console", "/install", "/init", "/signin", "/apps", "/datasets", "/tools", "/plugins", "/explore"] */
    adminPaths: z.array(pathPrefix).min(1).default([...DEFAULT_ADMIN_PATHS]),
    /** Days the WAF log group (us-east-1) keeps requests. @default 365 */
    logRetentionDays: logRetentionDays(365),
  })
  .strict();

export const edgeSchema = z
  .object({
    /**
     * Custom domains of the distribution (CNAMEs to the CloudFront domain).
     * @default []: only the *.cloudfront.net domain
     */
    domainNames: z
      .array(
        z.string().superRefine(
          rule(
            (value) => /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(value),
            (value) => `"${value}" is not a domain name`,
            'write the host name only, e.g. "dify.example.com"',
          ),
        ),
      )
      .default([]),
    /** ACM certificate in us-east-1 covering every domain name (CloudFront reads only there). */
    certificateArn: z
      .string()
      .superRefine(
        rule(
          (value) => /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/.test(value),
          (value) => `"${value}" is not an ACM certificate ARN in us-east-1`,
          "request or import the certificate in ACM in us-east-1 (CloudFront's certificates live there)",
        ),
      )
      .optional(),
    /**
     * PriceClass_200 includes Japan; PriceClass_100 serves Japan from farther away. Billing is
     * pay as you go: CloudFront's flat-rate plans (with a WAF web ACL included) are subscribed
     * through the Pricing Plan Manager API, which the AWS provider does not manage, and no source
     * seen says whether they support VPC origins (README, Cost).
     * @default "PriceClass_200"
     */
    priceClass: z.enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).default("PriceClass_200"),
    /** Seconds CloudFront waits for Dify's first byte (long blocking calls need streaming). @default 60 */
    originReadTimeoutSeconds: integer(1, 120, 60),
    /** Seconds an idle connection to the ALB is kept. @default 5 */
    originKeepaliveTimeoutSeconds: integer(1, 120, 5),
    /** Days CloudFront's access logs are kept in S3. @default 90 */
    accessLogRetentionDays: integer(1, 3650, 90),
    waf: wafSchema.prefault({}),
  })
  .strict()
  .superRefine(
    (edge, ctx) => {
      if (edge.domainNames.length > 0 && !edge.certificateArn) {
        report(
          ctx,
          ["certificateArn"],
          "is required with domainNames: CloudFront serves custom domains only with their certificate",
          "add the ARN of an ACM certificate in us-east-1 covering every domain name",
        );
      }
      if (edge.certificateArn && edge.domainNames.length === 0) {
        report(ctx, ["domainNames"], "is empty, so the certificate would cover nothing", "list the domains the certificate covers, or remove certificateArn");
      }
    },
    whenValid(["domainNames"], ["certificateArn"]),
  );

export type EdgeConfig = z.infer<typeof edgeSchema>;
