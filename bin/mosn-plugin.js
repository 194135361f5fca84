#!/usr/bin/env node
require('../dist/plugin-sdk/cli/main.js').main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => { console.error(err); process.exitCode = 1; });
