import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { Construct } from "constructs";

export interface PrivateDnsProps {
  readonly vpcId: string;
  /** Private hosted zone, e.g. `dify.internal`. */
  readonly zoneName: string;
  /** Record in the zone, e.g. `api` for `api.dify.internal`. */
  readonly recordName: string;
  /** The internal ALB the record aliases. */
  readonly target: { readonly dnsName: string; readonly zoneId: string };
}

/** Runbook section 2.6: a private hosted zone on the VPC with an alias record to the ALB. */
export class PrivateDns extends Construct {
  readonly zone: Route53Zone;
  readonly fqdn: string;

  constructor(scope: Construct, id: string, props: PrivateDnsProps) {
    super(scope, id);
    this.zone = new Route53Zone(this, "zone", {
      name: props.zoneName,
      comment: "Private names of the Dify environment",
      vpc: [{ vpcId: props.vpcId }],
    });
    this.fqdn = `${props.recordName}.${props.zoneName}`;
    new Route53Record(this, "alias", {
      zoneId: this.zone.zoneId,
      name: this.fqdn,
      type: "A",
      alias: { name: props.target.dnsName, zoneId: props.target.zoneId, evaluateTargetHealth: true },
    });
  }
}
