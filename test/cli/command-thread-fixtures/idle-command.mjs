// A command that handles no signal and waits a minute (as `run` does while it loads files).
setTimeout(() => {}, 60_000);
