// Text files bundled into the program as strings: esbuild's "text" loader in scripts/build.js,
// __tests__/support/text-transform.js under jest.
declare module "*.txt" {
  const text: string;
  export default text;
}
declare module "*.sh" {
  const text: string;
  export default text;
}
declare module "*.service" {
  const text: string;
  export default text;
}
