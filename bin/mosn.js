#!/usr/bin/env node
'use strict';
require('../dist/core/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code), (err) => {
    process.stderr.write(`mosn: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
