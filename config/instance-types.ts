/** Memory of the burstable sizes (GiB); other families follow a fixed GiB-per-vCPU ratio. */
const BURSTABLE_GIB: Readonly<Record<string, number>> = {
  nano: 0.5,
  micro: 1,
  small: 2,
  medium: 4,
  large: 8,
  xlarge: 16,
  "2xlarge": 32,
};

/** GiB per vCPU of the general purpose (m), compute (c) and memory (r) families. */
const GIB_PER_VCPU: Readonly<Record<string, number>> = { m: 4, c: 2, r: 8 };

function vcpus(size: string): number | undefined {
  if (size === "medium") return 1;
  if (size === "large") return 2;
  if (size === "xlarge") return 4;
  const match = /^(\d+)xlarge$/.exec(size);
  return match ? 4 * Number(match[1]) : undefined;
}

/**
 * Memory of an EC2 instance type in GiB, for the families Dify hosts are sized from (t2/t3/t3a/
 * t4g, m*, c*, r*); undefined for any other. Variants such as c5n differ slightly; the figure is
 * used only to refuse types below Dify's 4 GiB minimum and to warn below 8 GiB.
 */
export function instanceMemoryGiB(instanceType: string): number | undefined {
  const [family = "", size = ""] = instanceType.split(".");
  if (/^t[234][ag]?$/.test(family)) return Object.hasOwn(BURSTABLE_GIB, size) ? BURSTABLE_GIB[size] : undefined;
  const match = /^([mcr])\d+[a-z]*$/.exec(family);
  const cpus = vcpus(size);
  return match && cpus ? cpus * GIB_PER_VCPU[match[1]!]! : undefined;
}

/** Graviton families carry a `g` right after the generation digit (t4g, m7g, c6gn, r8g). */
export function instanceArchitecture(instanceType: string): "x86_64" | "arm64" {
  return /^[a-z]+\d+g/.test(instanceType) ? "arm64" : "x86_64";
}
