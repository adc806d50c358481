/**
 * Names the operations CLI looks resources up by. The stacks create them with these names;
 * __tests__/operations-names.test.ts checks the synthesized JSON against this file.
 */
export function resourceNames(namePrefix: string) {
  const dify = `${namePrefix}-dify`;
  return {
    /** Name tag of the Dify instance; also its launch template, role, ALB and target group. */
    difyHost: dify,
    /** Parameter Store path of the host's settings: `release`, `data-volume-id`, `env/*`, `cors/*`. */
    difyParameterPath: `/${namePrefix}/dify`,
    /** Value of the data volume's `dify-backup` tag, and of `snapshot-of` on its snapshots. */
    dataVolumeTag: `${namePrefix}-data`,
    /** Secrets Manager secret with Dify's keys. */
    difySecret: `${namePrefix}/dify`,
    /** Every alarm of the Dify host starts with this. */
    alarmPrefix: `${dify}-`,
    /** Comment of the CloudFront distribution. */
    distributionComment: `${namePrefix} Dify`,
    /** The Amplify app. */
    amplifyApp: namePrefix,
  };
}
