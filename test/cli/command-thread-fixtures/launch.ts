/** Runs the command module named by its file URL (argv[2]) on a command thread, as bin/tcplab.js does for `run`. */
import { runOnCommandThread } from '../../../src/command-thread.ts';

runOnCommandThread(new URL(process.argv[2]!), process.argv.slice(3));
