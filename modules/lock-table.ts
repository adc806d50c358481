import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { Construct } from "constructs";

export interface LockTableProps {
  /** Table name; the S3 backends of every stack name it as `dynamodb_table`. */
  readonly tableName: string;
}

/**
 * The DynamoDB table Terraform's S3 backend locks state with (`LockID` hash key). On-demand,
 * encrypted, recoverable to any second of the last 35 days, and protected from deletion.
 */
export class LockTable extends Construct {
  readonly table: DynamodbTable;

  constructor(scope: Construct, id: string, props: LockTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, "table", {
      name: props.tableName,
      billingMode: "PAY_PER_REQUEST",
      hashKey: "LockID",
      attribute: [{ name: "LockID", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: true,
      lifecycle: { preventDestroy: true },
    });
  }
}
