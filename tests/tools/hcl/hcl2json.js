// Prints the JSON form of an HCL file, parsed by HashiCorp's own HCL parser (hashicorp/hcl,
// compiled to WebAssembly in @cdktf/hcl2json): what Terraform reads from the file.
// Usage: node hcl2json.js FILE.tf   (exit 1 with the parser's message when it does not parse)
'use strict';
const fs = require('fs');
const path = require('path');
const { parse } = require('@cdktf/hcl2json');

const file = process.argv[2];
parse(path.basename(file), fs.readFileSync(file, 'utf8'))
  .then((json) => process.stdout.write(JSON.stringify(json) + '\n'))
  .catch((err) => {
    process.stderr.write(String(err) + '\n');
    process.exit(1);
  });
