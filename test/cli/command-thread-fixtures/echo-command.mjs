// A command that writes its arguments to stdout, a line to stderr, and ends with exit status 3.
process.stdout.write(`args ${process.argv.slice(2).join(' ')}\n`);
process.stderr.write('a line on stderr\n');
process.exitCode = 3;
