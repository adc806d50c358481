/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Type checking happens once in `npm test` (tsc --noEmit); ts-jest only transpiles
  // (isolatedModules in tsconfig), which keeps each test file fast.
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
    "\\.(txt|sh|service)$": "<rootDir>/__tests__/support/text-transform.js",
  },
  moduleFileExtensions: ["ts", "js", "json", "txt", "sh", "service"],
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/setup.ts"],
};
