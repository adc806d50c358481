import instanceTypes from "./aws-lists/instance-types.txt";
import regions from "./aws-lists/regions.txt";
import { nameList } from "./name-list";

/** Regions of the commercial partition (the stacks write `arn:aws:` ARNs). See scripts/aws-lists.js. */
export const AWS_REGIONS = nameList(regions);

/** Every EC2 instance type the pinned SDK knows. See scripts/aws-lists.js. */
export const EC2_INSTANCE_TYPES = nameList(instanceTypes);
