import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Construct } from "constructs";

export interface GenerateApiProps {
  /** Prefix of names, e.g. `acme-prod`. */
  readonly namePrefix: string;
  readonly region: string;
  /** Private subnets of the VPC link. */
  readonly subnetIds: readonly string[];
  /** The VPC link's security group (egress to the ALB only). */
  readonly securityGroupId: string;
  /** The internal ALB's listener the integration targets. */
  readonly albListenerArn: string;
  /** Host name the ALB's certificate covers, when the listener is HTTPS. */
  readonly albTlsServerName?: string;
  /** `/generate/<rest>` is sent to the ALB as `<targetPathPrefix>/<rest>`. */
  readonly targetPathPrefix: string;
  readonly cognitoUserPoolId: string;
  readonly cognitoClientIds: readonly string[];
  /** Origins allowed by CORS (the Amplify app's). */
  readonly allowedOrigins: readonly string[];
  readonly logRetentionDays: number;
}

/**
 * Runbook section 3.4: an HTTP API with `ANY /generate/{proxy+}`, authorized by the app's Cognito
 * JWTs and sent through a VPC link to the internal ALB, with access logs. API Gateway answers
 * CORS preflights itself, so they need no token.
 */
export class GenerateApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;

  constructor(scope: Construct, id: string, props: GenerateApiProps) {
    super(scope, id);
    const name = `${props.namePrefix}-generate`;
    const vpcLink = new Apigatewayv2VpcLink(this, "vpc-link", {
      name,
      subnetIds: [...props.subnetIds],
      securityGroupIds: [props.securityGroupId],
    });
    this.api = new Apigatewayv2Api(this, "api", {
      name,
      protocolType: "HTTP",
      description: "/generate/* to Dify through the internal ALB",
      corsConfiguration: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: ["GET", "POST", "OPTIONS"],
        allowHeaders: ["authorization", "content-type"],
        maxAge: 600,
      },
    });
    const authorizer = new Apigatewayv2Authorizer(this, "cognito", {
      apiId: this.api.id,
      name: "cognito",
      authorizerType: "JWT",
      identitySources: ["$request.header.Authorization"],
      jwtConfiguration: {
        issuer: `https://cognito-idp.${props.region}.amazonaws.com/${props.cognitoUserPoolId}`,
        audience: [...props.cognitoClientIds],
      },
    });
    const integration = new Apigatewayv2Integration(this, "alb", {
      apiId: this.api.id,
      integrationType: "HTTP_PROXY",
      integrationMethod: "ANY",
      integrationUri: props.albListenerArn,
      connectionType: "VPC_LINK",
      connectionId: vpcLink.id,
      payloadFormatVersion: "1.0",
      requestParameters: { "overwrite:path": `${props.targetPathPrefix}/$request.path.proxy` },
      tlsConfig: props.albTlsServerName ? { serverNameToVerify: props.albTlsServerName } : undefined,
    });
    new Apigatewayv2Route(this, "route", {
      apiId: this.api.id,
      routeKey: "ANY /generate/{proxy+}",
      target: `integrations/${integration.id}`,
      authorizationType: "JWT",
      authorizerId: authorizer.id,
    });
    const logs = new CloudwatchLogGroup(this, "access-logs", {
      name: `/${props.namePrefix}/api-gateway/generate`,
      retentionInDays: props.logRetentionDays,
    });
    this.stage = new Apigatewayv2Stage(this, "stage", {
      apiId: this.api.id,
      name: "$default",
      autoDeploy: true,
      accessLogSettings: {
        destinationArn: logs.arn,
        format: JSON.stringify({
          requestId: "$context.requestId",
          ip: "$context.identity.sourceIp",
          time: "$context.requestTime",
          method: "$context.httpMethod",
          path: "$context.path",
          status: "$context.status",
          latency: "$context.integrationLatency",
          error: "$context.integrationErrorMessage",
          authorizerError: "$context.authorizer.error",
        }),
      },
    });
  }
}
