/** @type {import('jest').Config} */
// `npm run test:host`: the Dify host booted in a VM (host-vm/). Scenarios run in order and share
// one data volume, so one worker, and no per-test timeout shorter than a boot.
module.exports = {
  ...require("./jest.config.js"),
  roots: ["<rootDir>/host-vm"],
  testMatch: ["**/*.test.ts"],
  maxWorkers: 1,
  testTimeout: 30 * 60 * 1000,
};
