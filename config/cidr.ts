import { Address4 } from "ip-address";

/** `a.b.c.d/n`: ip-address accepts a bare address as /32, a subnet plan must not. */
const CIDR_SHAPE = /^\d{1,3}(?:\.\d{1,3}){3}\/\d{1,2}$/;

/** An IPv4 CIDR block parsed once, with the questions a subnet plan asks of it. */
export class Cidr {
  /** Parses `text`, or returns undefined when it is not an IPv4 CIDR block. */
  static parse(text: string): Cidr | undefined {
    if (!CIDR_SHAPE.test(text) || !Address4.isValid(text)) return undefined;
    return new Cidr(new Address4(text));
  }

  private constructor(private readonly address: Address4) {}

  /** The prefix length, e.g. 18 for a /18. */
  get prefix(): number {
    return this.address.subnetMask;
  }

  /** The block with its host bits cleared, e.g. `10.0.1.0/24` for `10.0.1.5/24`. */
  get network(): string {
    return this.address.networkForm();
  }

  /** True when no host bits are set, i.e. the text is a block AWS accepts as written. */
  isNetworkAddress(text: string): boolean {
    return this.network === text;
  }

  /** First and last address, for messages: `10.13.0.0-10.13.31.255`. */
  get range(): string {
    return `${this.address.startAddress().correctForm()}-${this.address.endAddress().correctForm()}`;
  }

  /** True when every address of `inner` lies in this block. */
  contains(inner: Cidr): boolean {
    return inner.prefix >= this.prefix && inner.address.isInSubnet(this.address);
  }

  /** CIDR blocks are either nested or disjoint, so overlap is containment either way. */
  overlaps(other: Cidr): boolean {
    return this.contains(other) || other.contains(this);
  }

  /** The RFC 1918 ranges, the only ones a private VPC plan should use. */
  isPrivate(): boolean {
    return this.address.isPrivate();
  }

  /**
   * The `index`-th block of length `prefix` inside this one, like Terraform's `cidrsubnet`:
   * `subnet(24, 2)` of `10.13.0.0/18` is `10.13.2.0/24`.
   */
  subnet(prefix: number, index: number): string {
    const size = 2n ** BigInt(32 - prefix);
    const start = this.address.startAddress().bigInt() + BigInt(index) * size;
    return `${Address4.fromBigInt(start).correctForm()}/${prefix}`;
  }
}
