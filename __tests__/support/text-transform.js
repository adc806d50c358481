// Jest transform for the text files the program imports as strings (see types/text-files.d.ts).
// It reads the file itself: jest hands transforms the source with a leading #! line removed.
const { readFileSync } = require("node:fs");

module.exports = {
  process(_source, path) {
    return { code: `module.exports = ${JSON.stringify(readFileSync(path, "utf8"))};` };
  },
};
