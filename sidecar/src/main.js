#!/usr/bin/env node
// Skill Builder sidecar entry (bootstrap).
//
//   node src/main.js --persistent   speak the JSON-lines protocol on stdin/stdout
//   node src/main.js --info         print one JSON line describing the install, exit 0
//
// The bootstrap only imports the runner; if that import fails (broken install,
// syntax error) the error goes to stderr and the process exits 1, so a load
// failure is never silent. Without a flag it does nothing (so tests can import
// the modules) apart from a usage hint on stderr.
const args = process.argv.slice(2);

async function boot() {
  let runner;
  try {
    runner = await import('./runner.js');
  } catch (err) {
    process.stderr.write(`[sidecar] failed to load runner: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  }
  if (args.includes('--info')) {
    await runner.printInfo();
    return;
  }
  if (args.includes('--persistent')) {
    runner.runPersistent();
    return;
  }
  process.stderr.write('usage: node src/main.js --persistent | --info\n');
}

boot();
