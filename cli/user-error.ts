/** A mistake the user can fix: printed as problem and fix, never with a stack trace (exit 2). */
export class UserError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}
