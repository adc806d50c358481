import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { CloudfrontVpcOrigin } from "@cdktf/provider-aws/lib/cloudfront-vpc-origin";
import { Construct } from "constructs";
import { PrivateBucket } from "./private-bucket";

/** AWS managed CloudFront policies (IDs from the CloudFront developer guide). */
export const MANAGED_POLICY = {
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  /** Forwards every viewer header (Origin, Access-Control-Request-*, Host) to the origin. */
  allViewer: "216adef6-5c7f-47e4-b989-5492eafa07d3",
} as const;

/** Status codes CloudFront can cache; all of them get an error caching TTL of 0. */
const ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

export interface DifyDistributionProps {
  /** Prefix of names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly accountId: string;
  /** The internal ALB: ARN, DNS name, and the port to use (443 means HTTPS to the ALB). */
  readonly alb: { readonly arn: string; readonly dnsName: string; readonly port: number };
  /** Custom domains; empty for the *.cloudfront.net domain only. */
  readonly domainNames: readonly string[];
  /** ACM certificate in us-east-1 for `domainNames`. */
  readonly certificateArn?: string;
  /** @default "PriceClass_200" (includes Japan) */
  readonly priceClass?: string;
  /** @default 60 */
  readonly originReadTimeoutSeconds?: number;
  /** @default 5 */
  readonly originKeepaliveTimeoutSeconds?: number;
  /** WAF web ACL (scope CLOUDFRONT) in front of the distribution. */
  readonly webAclArn: string;
  /** @default 90 */
  readonly accessLogRetentionDays?: number;
}

/**
 * Runbook section 2.10, corrected: CloudFront in front of the internal ALB through a VPC origin
 * (a plain origin cannot reach an internal ALB). Everything dynamic is uncached and forwards
 * all viewer headers, so Dify sees Origin and the preflight headers and answers CORS itself;
 * Next.js' hashed static files are cached; errors are never cached (a cached 404 breaks Dify's
 * console). Security headers are added, CORS headers are not.
 */
export class DifyDistribution extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly vpcOrigin: CloudfrontVpcOrigin;

  constructor(scope: Construct, id: string, props: DifyDistributionProps) {
    super(scope, id);
    const https = props.alb.port === 443;
    this.vpcOrigin = new CloudfrontVpcOrigin(this, "vpc-origin", {
      vpcOriginEndpointConfig: [
        {
          name: `${props.namePrefix}-dify-alb`,
          arn: props.alb.arn,
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: https ? "https-only" : "http-only",
          originSslProtocols: [{ items: ["TLSv1.2"], quantity: 1 }],
        },
      ],
    });

    const headers = new CloudfrontResponseHeadersPolicy(this, "security-headers", {
      name: `${props.namePrefix}-dify-security-headers`,
      comment: "HSTS and content-type sniffing protection; CORS stays Dify's own",
      securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
      },
    });

    const logs = new PrivateBucket(this, "access-logs", {
      bucketName: `${props.namePrefix}-cloudfront-logs-${props.accountId}`,
      encryption: "AES256",
      // CloudFront's standard logs are written with an ACL grant, so ACLs stay enabled here.
      objectOwnership: "BucketOwnerPreferred",
      expirationDays: props.accessLogRetentionDays ?? 90,
      noncurrentVersionExpirationDays: 7,
    });

    const originId = "dify-alb";
    this.distribution = new CloudfrontDistribution(this, "distribution", {
      comment: `${props.namePrefix} Dify`,
      enabled: true,
      isIpv6Enabled: true,
      httpVersion: "http2and3",
      priceClass: props.priceClass ?? "PriceClass_200",
      aliases: props.domainNames.length > 0 ? [...props.domainNames] : undefined,
      webAclId: props.webAclArn,
      origin: [
        {
          originId,
          domainName: props.alb.dnsName,
          vpcOriginConfig: {
            vpcOriginId: this.vpcOrigin.id,
            originReadTimeout: props.originReadTimeoutSeconds ?? 60,
            originKeepaliveTimeout: props.originKeepaliveTimeoutSeconds ?? 5,
          },
        },
      ],
      defaultCacheBehavior: {
        targetOriginId: originId,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: MANAGED_POLICY.cachingDisabled,
        originRequestPolicyId: MANAGED_POLICY.allViewer,
        responseHeadersPolicyId: headers.id,
        compress: true,
      },
      orderedCacheBehavior: [
        {
          // Next.js' content-hashed build output: safe to cache for a long time.
          pathPattern: "/_next/static/*",
          targetOriginId: originId,
          viewerProtocolPolicy: "redirect-to-https",
          allowedMethods: ["GET", "HEAD"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: MANAGED_POLICY.cachingOptimized,
          responseHeadersPolicyId: headers.id,
          compress: true,
        },
      ],
      customErrorResponse: ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: 0 })),
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate: props.certificateArn
        ? { acmCertificateArn: props.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
        : { cloudfrontDefaultCertificate: true },
      loggingConfig: { bucket: logs.bucket.bucketDomainName, prefix: "cloudfront/", includeCookies: false },
      dependsOn: [logs.ownership],
    });
  }
}
