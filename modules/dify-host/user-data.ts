import { stringify } from "yaml";
import { DIFY_SECRET_ENV } from "../../config/dify-env-keys";
import difyctl from "./difyctl.sh";
import difyUnit from "./dify.service";
import { DOCKER_COMPOSE } from "./docker-compose-release";

/** Where difyctl mounts the data volume. */
export const DATA_DIR = "/var/lib/dify";

/** Where difyctl downloads the Docker Compose plugin from (the release's assets on GitHub). */
export const COMPOSE_DOWNLOAD_URL = "https://github.com/docker/compose/releases/download";

/** Names the host needs; all known at synth time, so the user data holds no Terraform reference. */
export interface HostUserDataProps {
  readonly region: string;
  /** Parameter Store path of the host's settings (`<path>/release`, `/env/*`, `/cors/*`). */
  readonly parameterPath: string;
  /** Name of the Secrets Manager secret holding Dify's keys and passwords. */
  readonly secretName: string;
  /** Log group of the containers' output (Docker's awslogs driver). */
  readonly containerLogGroup: string;
  /** Log group of the host's own logs (cloud-init, difyctl), shipped by the CloudWatch agent. */
  readonly hostLogGroup: string;
  /**
   * Secrets Manager secret with Docker Hub credentials (`username`, `token`) for pulling images.
   * @default none: anonymous pulls
   */
  readonly dockerHubSecretName?: string;
}

interface WriteFile {
  readonly path: string;
  readonly permissions: string;
  readonly content: string;
}

/** The files cloud-init writes, in order; exported for the tests that check each one. */
export function hostFiles(props: HostUserDataProps): WriteFile[] {
  const hostEnv = {
    REGION: props.region,
    DATA_DIR,
    PARAM_PATH: props.parameterPath,
    SECRET_ID: props.secretName,
    DOCKER_HUB_SECRET_ID: props.dockerHubSecretName ?? "",
    COMPOSE_DOWNLOAD_URL,
    COMPOSE_VERSION: DOCKER_COMPOSE.version,
    COMPOSE_SHA256_X86_64: DOCKER_COMPOSE.sha256.x86_64,
    COMPOSE_SHA256_AARCH64: DOCKER_COMPOSE.sha256.aarch64,
  };
  const dockerDaemon = {
    // Images and containers live on the data volume: a replacement instance pulls nothing, and
    // the root disk does not fill up with images across upgrades.
    "data-root": `${DATA_DIR}/docker`,
    "log-driver": "awslogs",
    "log-opts": {
      "awslogs-region": props.region,
      "awslogs-group": props.containerLogGroup,
      // One stream per container, named like dify-api-1.
      tag: "{{.Name}}",
      // Never block a container on CloudWatch; buffer instead.
      mode: "non-blocking",
      "max-buffer-size": "4m",
    },
  };
  const hostLog = (file: string, stream: string) => ({
    file_path: file,
    log_group_name: props.hostLogGroup,
    log_stream_name: `{instance_id}/${stream}`,
  });
  const cloudwatchAgent = {
    // No host dimension: alarms select metrics by InstanceId (and path) alone.
    agent: { metrics_collection_interval: 60, omit_hostname: true },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            hostLog("/var/log/cloud-init-output.log", "cloud-init-output"),
            hostLog("/var/log/dify/difyctl.log", "difyctl"),
          ],
        },
      },
    },
    metrics: {
      // The agent substitutes ${aws:InstanceId} itself: a literal for Terraform and the shell.
      append_dimensions: { InstanceId: "${aws:InstanceId}" },
      metrics_collected: {
        mem: { measurement: ["mem_used_percent"] },
        disk: { measurement: ["used_percent"], resources: ["/", DATA_DIR], drop_device: true },
      },
    },
  };
  return [
    { path: "/etc/dify/host.env", permissions: "0644", content: envFile(hostEnv) },
    {
      path: "/etc/dify/secret-env",
      permissions: "0644",
      content: Object.entries(DIFY_SECRET_ENV).map(([key, field]) => `${key} ${field}\n`).join(""),
    },
    { path: "/etc/dify/cloudwatch-agent.json", permissions: "0644", content: `${JSON.stringify(cloudwatchAgent)}\n` },
    { path: "/etc/docker/daemon.json", permissions: "0644", content: `${JSON.stringify(dockerDaemon)}\n` },
    // Written before Docker is installed: systemd applies a drop-in to the unit once it exists.
    {
      path: "/etc/systemd/system/docker.service.d/dify-data-volume.conf",
      permissions: "0644",
      content: [
        "# Docker's data root is on Dify's data volume (daemon.json): never start Docker before that",
        "# volume is mounted, or it would write its images onto the root disk beneath the mount point.",
        "[Service]",
        `ExecStartPre=/usr/bin/mountpoint -q ${DATA_DIR}`,
        "",
      ].join("\n"),
    },
    { path: "/usr/local/sbin/difyctl", permissions: "0755", content: difyctl },
    { path: "/etc/systemd/system/dify.service", permissions: "0644", content: difyUnit },
  ];
}

/**
 * The instance's user data: a cloud-config that writes the host files, then enables and starts
 * dify.service. Everything else happens in that unit, on every boot.
 */
export function hostUserData(props: HostUserDataProps): string {
  const cloudConfig = {
    write_files: hostFiles(props).map((file) => ({ ...file, owner: "root:root" })),
    runcmd: [
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "dify.service"],
      ["systemctl", "start", "--no-block", "dify.service"],
    ],
  };
  return `#cloud-config\n${stringify(cloudConfig, { lineWidth: 0, blockQuote: "literal" })}`;
}

function envFile(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${value}\n`)
    .join("");
}
