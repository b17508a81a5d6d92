// Validates AsyncAPI documents with the official parser (@asyncapi/parser, pinned in package-lock.json): its schema
// validation and its Spectral rules, $refs resolved. Every diagnostic is printed; the exit code is 1 if any file
// has an error (warnings, information and hints are printed and pass), 2 on wrong usage.
// Usage: node check.js FILE...
'use strict';

const { readFile } = require('node:fs/promises');
const { Parser, DiagnosticSeverity } = require('@asyncapi/parser');

const SEVERITY = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};

async function check(parser, file) {
  const { document, diagnostics } = await parser.parse(await readFile(file, 'utf8'), { source: file });
  for (const { severity, code, path, message } of diagnostics) {
    console.log(`${file}: ${SEVERITY[severity]} ${code} at /${path.join('/')}: ${message}`);
  }
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === DiagnosticSeverity.Error).length;
  // Without errors the parser returns the document; without a document the file is not valid, whatever it says.
  const valid = errors === 0 && document !== undefined;
  console.log(`${file}: ${valid ? 'valid' : 'INVALID'} AsyncAPI ${document ? document.version() : ''}`.trimEnd());
  return valid;
}

async function main(files) {
  if (files.length === 0) {
    console.error('usage: node check.js FILE...');
    return 2;
  }
  const parser = new Parser();
  let failed = false;
  for (const file of files) {
    failed = !(await check(parser, file)) || failed;
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
