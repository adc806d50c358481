import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";

/** The guest image built by host-vm/build-image.sh. */
export interface GuestImage {
  readonly dir: string;
}

/** An EBS volume played by a raw disk file attached as an NVMe disk whose serial is the volume ID. */
export interface DataVolume {
  readonly path: string;
  /** `vol-0123...`: EC2 reports it, without the dash, as the NVMe serial. */
  readonly volumeId: string;
}

export interface BootOptions {
  readonly image: GuestImage;
  /** Working folder of this instance: its root disk (a copy-on-write layer over the image). */
  readonly instanceDir: string;
  /** NoCloud seed disk (user data and instance ID), see seed.ts. */
  readonly seed: string;
  readonly dataVolume: DataVolume;
  /** Attach the volume this long after power-on, as EC2 does when the attachment is late. @default attached at power-on */
  readonly attachAfterMs?: number;
  /** Guest port on 10.0.2.100 -> port on this machine's loopback; nothing else is reachable. */
  readonly forwards: Readonly<Record<number, number>>;
  /** `vmtest.*` settings for the probe and the fakes, on the kernel command line. */
  readonly kernelArgs?: Readonly<Record<string, string>>;
  /** Seconds of guest uptime after which the probe reports whatever state it finds. */
  readonly deadlineSeconds: number;
}

export interface BootResult {
  readonly report: GuestReport;
  readonly wallSeconds: number;
}

/** What the probe in the guest (host-vm/guest/opt/vmtest/report) found. */
export interface GuestReport {
  healthy_at: number | null;
  uptime: number;
  units: Record<string, Record<string, string>>;
  mount: { source: string | null; fstype: string | null; uuid: string | null };
  under_mount_point_on_root_disk: string[] | null;
  fstab: string[] | null;
  env: { mode: string; values: Record<string, string> } | null;
  release: string | null;
  marker: string | null;
  docker_calls: any[];
  compose: any[];
  pulls: { t: number; image: string; registry: string; authenticated: boolean }[];
  dockerd: { data_root: string; filesystem: string }[];
  dnf: string[] | null;
  blkid_faults: string[] | null;
  cloudwatch_agent: string[] | null;
  difyctl_log: string[] | null;
  journal: string[];
}

const QEMU = "qemu-system-x86_64";

/** A fresh root disk for a new instance: a qcow2 layer over the image, so the image stays clean. */
export function newRootDisk(image: GuestImage, instanceDir: string): void {
  const run = spawnSync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", join(image.dir, "root.img"), join(instanceDir, "root.qcow2")]);
  if (run.status !== 0) throw new Error(`qemu-img create failed: ${run.stderr}`);
}

/**
 * Boots the instance under software emulation (KVM here fails on real guests) until the probe
 * powers it off, and returns its report. A boot that outlives the deadline by far is killed.
 */
export async function boot(options: BootOptions): Promise<BootResult> {
  const dir = options.instanceDir;
  const consoleLog = join(dir, "console.log");
  const reportLog = join(dir, "report.log");
  const qmpSocket = join(dir, "qmp.sock");
  writeFileSync(reportLog, "");
  const forwards = Object.entries(options.forwards).map(
    ([guest, host]) => `guestfwd=tcp:10.0.2.100:${guest}-cmd:socat - TCP:127.0.0.1:${host}`,
  );
  const kernelArgs = Object.entries({ "vmtest.deadline": String(options.deadlineSeconds), ...options.kernelArgs })
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  const nvme = `nvme,id=data-volume,drive=data,serial=${options.dataVolume.volumeId.replace("-", "")}`;
  const args = [
    "-machine", "pc", "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2", "-m", "2048",
    "-display", "none", "-monitor", "none", "-no-reboot",
    "-kernel", join(options.image.dir, "vmlinuz"), "-initrd", join(options.image.dir, "initrd.img"),
    "-append", `root=/dev/vda rw console=ttyS0 ${kernelArgs}`,
    "-drive", `file=${join(dir, "root.qcow2")},if=virtio,format=qcow2`,
    "-drive", `file=${options.seed},if=virtio,format=raw,readonly=on`,
    "-drive", `file=${options.dataVolume.path},if=none,id=data,format=raw`,
    ...(options.attachAfterMs === undefined ? ["-device", nvme] : []),
    // restrict=on: the guest reaches exactly the forwarded services and nothing else.
    "-nic", ["user", "model=virtio-net-pci", "restrict=on", ...forwards].join(","),
    "-serial", `file:${consoleLog}`, "-serial", `file:${reportLog}`,
    "-qmp", `unix:${qmpSocket},server=on,wait=off`,
  ];
  const started = Date.now();
  const qemu = spawn(QEMU, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  qemu.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => qemu.once("exit", (code) => resolve(code)));
  const killer = setTimeout(() => qemu.kill("SIGKILL"), (options.deadlineSeconds + 240) * 1000);
  let attach: NodeJS.Timeout | undefined;
  let attachFailure: Error | undefined;
  if (options.attachAfterMs !== undefined) {
    attach = setTimeout(() => {
      qmp(qmpSocket, { execute: "device_add", arguments: deviceArguments(nvme) }).catch((error: Error) => (attachFailure = error));
    }, options.attachAfterMs);
  }
  const code = await exited;
  clearTimeout(killer);
  if (attach) clearTimeout(attach);
  if (attachFailure) throw new Error(`attaching the data volume failed: ${attachFailure.message}`);
  const wallSeconds = (Date.now() - started) / 1000;
  const text = readFileSync(reportLog, "utf8");
  const match = /VMTEST-REPORT-BEGIN\r?\n([\s\S]*?)VMTEST-REPORT-END/.exec(text);
  if (!match) {
    const tail = existsSync(consoleLog) ? readFileSync(consoleLog, "utf8").split("\n").slice(-60).join("\n") : "";
    throw new Error(`the guest sent no report (qemu exit ${code}, ${wallSeconds.toFixed(0)} s): ${stderr}\n--- console (last lines) ---\n${tail}`);
  }
  const report = JSON.parse(Buffer.from(match[1]!.replace(/\s+/g, ""), "base64").toString("utf8")) as GuestReport;
  return { report, wallSeconds };
}

function deviceArguments(device: string): Record<string, string> {
  const [driver, ...rest] = device.split(",");
  return { driver: driver!, ...Object.fromEntries(rest.map((pair) => pair.split("=") as [string, string])) };
}

/** One QMP command on QEMU's machine protocol socket (capabilities negotiated first). */
async function qmp(socket: string, command: object): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const connection = createConnection(socket);
    let buffer = "";
    let sent = 0;
    connection.on("data", (chunk) => {
      buffer += chunk;
      for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
        const message = JSON.parse(buffer.slice(0, newline));
        buffer = buffer.slice(newline + 1);
        if (message.error) reject(new Error(`QMP: ${JSON.stringify(message.error)}`));
        if (message.QMP) connection.write(`${JSON.stringify({ execute: "qmp_capabilities" })}\n`);
        else if (message.return !== undefined && sent++ === 0) connection.write(`${JSON.stringify(command)}\n`);
        else if (message.return !== undefined) {
          connection.end();
          resolve();
        }
      }
    });
    connection.on("error", reject);
  });
}
